/**
 * Server-sent event framing: the incremental parser the `sse` stream uses. Its output is `@effect/experimental`'s
 * `Sse.makeParser`'s for every text without a CR (test/core/sse.test.ts runs both), and what HTML's event-stream
 * rules say where that parser errs: a CRLF cut between chunks, and CRLF beside LF in one chunk. Around it the
 * client's own rules: a leading U+FEFF is stripped, and `retry:` is reported, not acted on. Effect-free.
 * @internal
 */

/**
 * One server-sent event.
 * @internal
 */
export interface SseEvent {
  /** The event's `id:` field, if it had one. */
  readonly id: string | undefined
  /** The `event:` field; "message" when it had none. */
  readonly event: string
  /** The `data:` lines joined with "\n". */
  readonly data: string
}

/**
 * The pending event grew past the parser's limit (in string code units); the parser starts over.
 * @internal
 */
export class SseEventTooLarge {
  readonly _tag = "EventTooLarge"
  constructor(readonly maxEventSize: number) {}
  get message(): string {
    return `Pending SSE event exceeded the maximum size of ${this.maxEventSize}`
  }
}

/** The parser's default limit for a pending event: 10 MiB of string code units. @internal */
export const defaultMaxEventSize = 10 * 1024 * 1024

/** "\u00ef\u00bb\u00bf": a UTF-8 byte order mark decoded as Latin-1, which the parser strips from its first chunk */
const BOM = [239, 187, 191]

const hasBom = (buffer: string): boolean =>
  BOM.every((charCode: number, index: number) => buffer.charCodeAt(index) === charCode)

/**
 * An incremental server-sent event parser: `feed` a chunk of text, get the events it completes; `retry` and `error`
 * then tell the chunk's last `retry:` value (milliseconds, as `parseInt` read it) and whether the pending event
 * passed `maxEventSize` (the parser then starts over, as on a new stream). Lines end with LF, CR or CRLF (HTML's
 * "Interpreting an event stream"), also when a CRLF is cut between two chunks.
 * @internal
 */
export class SseParser {
  /** The last `retry:` field of the last chunk fed, in milliseconds. */
  retry: number | undefined = undefined
  /** Set by the last chunk fed when the pending event passed `maxEventSize`. */
  error: SseEventTooLarge | undefined = undefined

  private textSeen = false
  private events: Array<SseEvent> = []
  // line state
  private isFirstChunk = true
  /** the start of a line whose end has not come yet */
  private partial = ""
  /** the last chunk ended with "\r": a "\n" opening the next one ends no line of its own */
  private afterCr = false
  // event state
  private eventId: string | undefined = undefined
  private eventName: string | undefined = undefined
  private data = ""

  /** The limit for a pending event, in string code units. */
  readonly maxEventSize: number

  constructor(maxEventSize?: number | undefined) {
    this.maxEventSize = maxEventSize ?? defaultMaxEventSize
  }

  /** The events `text` completes; `retry` and `error` are this chunk's. */
  feed(text: string): Array<SseEvent> {
    if (!this.textSeen && text.length > 0) {
      this.textSeen = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    this.retry = undefined
    this.error = this.parse(text)
    const out = this.events
    this.events = []
    return out
  }

  private reset(): void {
    this.isFirstChunk = true
    this.partial = ""
    this.afterCr = false
    this.eventId = undefined
    this.eventName = undefined
    this.data = ""
  }

  private parse(chunk: string): SseEventTooLarge | undefined {
    // a UTF-8 byte order mark decoded as Latin-1 opening the stream's first chunk (nothing is pending before it)
    let start = this.isFirstChunk && hasBom(chunk) ? BOM.length : 0
    this.isFirstChunk = false
    if (this.afterCr && start < chunk.length) {
      if (chunk.charCodeAt(start) === 10) start++
      this.afterCr = false
    }
    for (let i = start; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      const line = this.partial.length > 0 ? this.partial + chunk.slice(start, i) : chunk.slice(start, i)
      this.partial = ""
      this.parseLine(line)
      if (c === 13) {
        if (i + 1 === chunk.length) this.afterCr = true
        else if (chunk.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    if (start < chunk.length) this.partial += chunk.slice(start)
    if (this.partial.length + this.data.length > this.maxEventSize) {
      this.reset()
      return new SseEventTooLarge(this.maxEventSize)
    }
    return undefined
  }

  private parseLine(line: string): void {
    if (line.length === 0) {
      // an empty line ends the event
      if (this.data.length > 0) {
        this.events.push({ id: this.eventId, event: this.eventName ?? "message", data: this.data.slice(0, -1) })
        this.data = ""
        this.eventId = undefined
      }
      this.eventName = undefined
      return
    }
    const colon = line.indexOf(":")
    // a line opening with ":" is a comment (its field is "", which names nothing)
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? "" : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1)
    if (field === "data") {
      this.data += `${value}\n`
    } else if (field === "event") {
      this.eventName = value
    } else if (field === "id" && !value.includes("\u0000")) {
      this.eventId = value
    } else if (field === "retry") {
      const retry = parseInt(value, 10)
      if (!Number.isNaN(retry)) this.retry = retry
    }
  }
}
