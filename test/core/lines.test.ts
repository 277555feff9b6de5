import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { LineSplitter } from "../../src/core/lines.js"
import { NdjsonLines } from "../../src/core/streaming.js"

const split = (chunks: ReadonlyArray<string>): Array<string> => {
  const splitter = new LineSplitter()
  const out = chunks.flatMap((chunk) => splitter.feed(chunk))
  const last = splitter.end()
  return last === undefined ? out : [...out, last]
}

describe("core/lines", () => {
  it("LF, CRLF and a lone CR each end a line; a last line without an end comes at the end", () => {
    assert.deepStrictEqual(split(["a\nb\r\nc\rd"]), ["a", "b", "c", "d"])
    assert.deepStrictEqual(split(["a\n\n\r\n\r\r"]), ["a", "", "", "", ""])
    assert.deepStrictEqual(split(["a\n"]), ["a"])
    assert.deepStrictEqual(split([""]), [])
    assert.deepStrictEqual(split([]), [])
  })

  it("a CRLF split between chunks is one line end; a line split between chunks is one line", () => {
    assert.deepStrictEqual(split(["a\r", "\nb"]), ["a", "b"])
    assert.deepStrictEqual(split(["a\r", "", "\nb"]), ["a", "b"])
    assert.deepStrictEqual(split(["a\r", "b"]), ["a", "b"])
    assert.deepStrictEqual(split(["a\r", "\r\n"]), ["a", ""])
    assert.deepStrictEqual(split(["ab", "c", "d\ne"]), ["abcd", "e"])
  })

  it("feed gives only the lines a chunk completes; end gives undefined after a line end", () => {
    const splitter = new LineSplitter()
    assert.deepStrictEqual(splitter.feed("x"), [])
    assert.deepStrictEqual(splitter.feed("y\nz"), ["xy"])
    assert.strictEqual(splitter.end(), "z")
    const ended = new LineSplitter()
    ended.feed("a\r")
    assert.strictEqual(ended.end(), undefined)
  })

  it.prop(
    "any text, any chunking: the same lines as splitting the whole text at once",
    [
      fc.array(fc.constantFrom("a", "b", "\r", "\n", "\r\n", "é"), { maxLength: 30 }).map((parts) => parts.join("")),
      fc.array(fc.nat({ max: 30 }), { maxLength: 6 })
    ],
    ([text, cuts]) => {
      const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b)
      const chunks: Array<string> = []
      let last = 0
      for (const p of points) {
        chunks.push(text.slice(last, p))
        last = p
      }
      chunks.push(text.slice(last))
      const expected = text.split(/\r\n|\r|\n/)
      if (expected[expected.length - 1] === "") expected.pop()
      assert.deepStrictEqual(split(chunks), expected)
    }
  )

  it("rest: the last line without an end as a list, none after a line end", () => {
    const splitter = new LineSplitter()
    assert.deepStrictEqual(splitter.feed("a\nb"), ["a"])
    assert.deepStrictEqual(splitter.rest(), ["b"])
    const ended = new LineSplitter()
    ended.feed("a\r\n")
    assert.deepStrictEqual(ended.rest(), [])
  })

  it("NdjsonLines: blank lines skipped but counted, values or the parse's cause with the line number", () => {
    const reader = new NdjsonLines()
    assert.deepStrictEqual(reader.read("{\"a\":1}"), { line: 1, value: { a: 1 } })
    assert.strictEqual(reader.read("  "), undefined)
    const bad = reader.read("{")
    assert.isTrue(bad !== undefined && "cause" in bad && bad.line === 3)
  })
})
