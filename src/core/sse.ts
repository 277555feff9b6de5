/**
 * Server-sent event framing: the incremental parser the `sse` stream uses. It is `@effect/experimental`'s
 * `Sse.makeParser` (adapted there from https://github.com/rexxars/eventsource-parser, MIT) carried over statement
 * for statement so its output is the same for every input (test/core/sse.test.ts runs both), plus the client's own
 * rules around it: a leading U+FEFF is stripped, and `retry:` is reported, not acted on. Effect-free.
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
 * passed `maxEventSize` (the parser then starts over, as on a new stream).
 * @internal
 */
export class SseParser {
  /** The last `retry:` field of the last chunk fed, in milliseconds. */
  retry: number | undefined = undefined
  /** Set by the last chunk fed when the pending event passed `maxEventSize`. */
  error: SseEventTooLarge | undefined = undefined

  private textSeen = false
  private events: Array<SseEvent> = []
  // processing state
  private isFirstChunk = true
  private buffer = ""
  private startingPosition = 0
  private startingFieldLength = -1
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
    this.buffer = ""
    this.startingPosition = 0
    this.startingFieldLength = -1
    this.eventId = undefined
    this.eventName = undefined
    this.data = ""
  }

  private parse(chunk: string): SseEventTooLarge | undefined {
    let buffer = this.buffer ? this.buffer + chunk : chunk
    // a UTF-8 byte order mark decoded as Latin-1 at the start of the stream
    if (this.isFirstChunk && hasBom(buffer)) buffer = buffer.slice(BOM.length)
    this.isFirstChunk = false
    const length = buffer.length
    let position = 0
    let discardTrailingNewline = false
    while (position < length) {
      // a "\n" right after a "\r" ends no line of its own
      if (discardTrailingNewline) {
        if (buffer[position] === "\n") ++position
        discardTrailingNewline = false
      }
      let lineLength = -1
      let fieldLength = this.startingFieldLength
      // as the original does: the scan starts at `startingPosition`, which is 0 after a complete line, so the lines
      // before `position` are scanned again (their ends give negative lengths, but a "\r" among them still sets
      // `discardTrailingNewline`)
      for (let index = this.startingPosition; lineLength < 0 && index < length; ++index) {
        const character = buffer[index]
        if (character === ":" && fieldLength < 0) {
          fieldLength = index - position
        } else if (character === "\r") {
          discardTrailingNewline = true
          lineLength = index - position
        } else if (character === "\n") {
          lineLength = index - position
        }
      }
      if (lineLength < 0) {
        this.startingPosition = length - position
        this.startingFieldLength = fieldLength
        break
      }
      this.startingPosition = 0
      this.startingFieldLength = -1
      this.parseLine(buffer, position, fieldLength, lineLength)
      position += lineLength + 1
    }
    if (position === length) buffer = ""
    else if (position > 0) buffer = buffer.slice(position)
    this.buffer = buffer
    if (buffer.length + this.data.length > this.maxEventSize) {
      this.reset()
      return new SseEventTooLarge(this.maxEventSize)
    }
    return undefined
  }

  private parseLine(lineBuffer: string, index: number, fieldLength: number, lineLength: number): void {
    if (lineLength === 0) {
      // an empty line ends the event
      if (this.data.length > 0) {
        this.events.push({ id: this.eventId, event: this.eventName ?? "message", data: this.data.slice(0, -1) })
        this.data = ""
        this.eventId = undefined
      }
      this.eventName = undefined
      return
    }
    const noValue = fieldLength < 0
    const field = lineBuffer.slice(index, index + (noValue ? lineLength : fieldLength))
    const step = noValue ? lineLength : lineBuffer[index + fieldLength + 1] === " " ? fieldLength + 2 : fieldLength + 1
    const position = index + step
    const value = lineBuffer.slice(position, position + lineLength - step)
    if (field === "data") {
      this.data += value ? `${value}\n` : "\n"
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
