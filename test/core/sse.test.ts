/**
 * The core's SSE parser is `@effect/experimental`'s `Sse.makeParser` carried over: every test here runs the same
 * chunks through both (the reference wrapped as src/internal/sse.ts wrapped it before the move: a leading U+FEFF
 * stripped, `retry:` reported) and asserts the same output, chunk by chunk.
 */
import * as Sse from "@effect/experimental/Sse"
import { assert, describe, it } from "@effect/vitest"
import { Duration, FastCheck as fc } from "effect"
import { type SseEvent, SseParser } from "../../src/core/sse.js"
import { makeEventParser } from "../../src/internal/sse.js"

interface Output {
  readonly events: ReadonlyArray<SseEvent>
  readonly retry: number | undefined
  readonly error: string | undefined
}

/** The parser as src/internal/sse.ts built it over `Sse.makeParser`. */
const reference = (maxEventSize?: number) => {
  let first = true
  let events: Array<SseEvent> = []
  let retry: Duration.Duration | undefined
  const parser = Sse.makeParser((event) => {
    if (event._tag === "Event") events.push({ id: event.id, event: event.event, data: event.data })
    else retry = event.duration
  }, { maxEventSize })
  return (text: string): Output => {
    if (first && text.length > 0) {
      first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    retry = undefined
    const error = parser.feed(text)
    const out = events
    events = []
    return { events: out, retry: retry === undefined ? undefined : Duration.toMillis(retry), error: error?.message }
  }
}

const core = (maxEventSize?: number) => {
  const parser = new SseParser(maxEventSize)
  return (text: string): Output => {
    const events = parser.feed(text)
    // as src/internal/sse.ts hands it on: a Duration (a negative delay is zero)
    const retry = parser.retry === undefined ? undefined : Duration.toMillis(Duration.millis(parser.retry))
    return { events, retry, error: parser.error?.message }
  }
}

/** src/internal/sse.ts's wrapper over the core, read the same way. */
const wrapped = (maxEventSize?: number) => {
  const parser = makeEventParser({ maxEventSize })
  return (text: string): Output => {
    const parsed = parser.feed(text)
    assert.isTrue(parsed.error === undefined || parsed.error._tag === "SseError")
    return {
      events: parsed.events,
      retry: parsed.retry === undefined ? undefined : Duration.toMillis(parsed.retry),
      error: parsed.error?.message
    }
  }
}

const run = (feed: (text: string) => Output, chunks: ReadonlyArray<string>) => chunks.map(feed)
const both = (chunks: ReadonlyArray<string>, maxEventSize?: number) => {
  const expected = run(reference(maxEventSize), chunks)
  assert.deepStrictEqual(run(core(maxEventSize), chunks), expected)
  assert.deepStrictEqual(run(wrapped(maxEventSize), chunks), expected)
  return expected
}

describe("core/sse", () => {
  it("fields, comments, multi-line data, default event name, id and retry", () => {
    const out = both([": hi\nevent: a\nid: 7\ndata: x\ndata\ndata:  y\nretry: 1500\n\n", "data: z\n\n"])
    assert.deepStrictEqual(out[0].events, [{ id: "7", event: "a", data: "x\n\n y" }])
    assert.strictEqual(out[0].retry, 1500)
    assert.deepStrictEqual(out[1], {
      events: [{ id: undefined, event: "message", data: "z" }],
      retry: undefined,
      error: undefined
    })
  })

  it("byte order marks: U+FEFF on the first text, a Latin-1-decoded UTF-8 one on the first chunk", () => {
    assert.deepStrictEqual(both(["\uFEFFdata: a\n\n"])[0].events, [{ id: undefined, event: "message", data: "a" }])
    assert.deepStrictEqual(both(["", "\uFEFFdata: a\n\n"])[1].events.length, 1)
    assert.deepStrictEqual(both(["\u00ef\u00bb\u00bfdata: b\n\n"])[0].events[0].data, "b")
    both(["", "\u00ef\u00bb\u00bfdata: b\n\n"])
    both(["data: a\n\n", "\uFEFFdata: b\n\n"])
  })

  it("line ends: LF, CR, CRLF, and a CRLF cut between chunks, as the reference handles them", () => {
    both(["data: a\r\rdata: b\n\n"])
    both(["data: a\r\n\r\ndata: b\r\n\r\n"])
    both(["data: a\r", "\ndata: b\n\n"])
    both(["event: x\r", "\ndata: y\r\n\r\n"])
    both(["data: a\r\ndata: b\n\ndata: c\n\n"])
    both(["data: a\r\nb\n\ndata: c\n\n"])
  })

  it("ids: an empty id, an id with NUL ignored, an id kept for the event only", () => {
    const out = both(["id:\ndata: a\n\nid: x\u0000y\ndata: b\n\nid: 1\n\ndata: c\n\n"])
    assert.deepStrictEqual(out[0].events.map((e) => e.id), ["", undefined, "1"])
  })

  it("retry: the last of a chunk, parseInt's reading, nothing for a non-number", () => {
    assert.deepStrictEqual(both(["retry: 10\nretry: 20x\n"])[0].retry, 20)
    assert.deepStrictEqual(both(["retry: x\n"])[0].retry, undefined)
    assert.deepStrictEqual(both(["retry: -5\n"])[0].retry, 0)
    const parser = new SseParser()
    parser.feed("retry: -5\n")
    assert.strictEqual(parser.retry, -5)
    assert.deepStrictEqual(both(["retry: 1\n", "data: a\n"]).map((o) => o.retry), [1, undefined])
  })

  it("a pending event past maxEventSize is an error; the parser starts over and the chunk's events stay", () => {
    const out = both(["data: a\n\ndata: 0123456789\n", "data: b\n\n"], 8)
    assert.deepStrictEqual(out[0].events.map((e) => e.data), ["a"])
    assert.strictEqual(out[0].error, "Pending SSE event exceeded the maximum size of 8")
    assert.deepStrictEqual(out[1].events.map((e) => e.data), ["b"])
    assert.strictEqual(new SseParser().maxEventSize, 10 * 1024 * 1024)
  })

  it.prop(
    "any text of SSE pieces, any chunking, any limit: the same output as the reference, chunk by chunk",
    [
      fc.array(
        fc.constantFrom(
          "data",
          "event",
          "id",
          "retry",
          "data: ",
          ":",
          " ",
          "\r",
          "\n",
          "\r\n",
          "\n\n",
          "a",
          "42",
          "-",
          "\u0000",
          "\uFEFF",
          "\u00ef\u00bb\u00bf",
          "é"
        ),
        { maxLength: 40 }
      ).map((parts) => parts.join("")),
      fc.array(fc.nat({ max: 200 }), { maxLength: 8 }),
      fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined })
    ],
    ([text, cuts, maxEventSize]) => {
      const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b)
      const chunks: Array<string> = []
      let last = 0
      for (const p of points) {
        chunks.push(text.slice(last, p))
        last = p
      }
      chunks.push(text.slice(last))
      both(chunks, maxEventSize)
    },
    { fastCheck: { numRuns: 2000 } }
  )
})
