/**
 * Pieces both editions' streaming verbs share, Effect-free: the head of a streamed response, a failure of its body
 * after the head (after which the stream may go on over a new connection), an error body collected up to a limit,
 * a body read into memory up to the size limit, and one line of newline-delimited JSON parsed.
 * @internal
 */
import { TransportFailure } from "./transportFailure.js"

/**
 * A streamed response's head; each edition adds its own `body` stream.
 * @internal
 */
export interface StreamingHead {
  readonly status: number
  readonly statusText: string
  readonly headers: Record<string, string>
  readonly setCookie: ReadonlyArray<string>
  /** The URL that answered. */
  readonly url: string
}

/**
 * The options of `stream`, `lines` and `ndjson` beside the request's, in both editions.
 * @internal
 */
export interface StreamVerbOptions {
  /**
   * After a reset mid-body, continue with a range request (`Range` + `If-Range`) instead of failing.
   * @default false
   */
  readonly resume?: boolean | undefined
  /**
   * The request's method, any token (`POST`, `QUERY` …), with any body option; a `stream` body (an upload) is never
   * retried.
   * @default "GET"
   */
  readonly method?: string | undefined
}

/**
 * The option of `sse` beside the request's, in both editions.
 * @internal
 */
export interface SseVerbOptions {
  /** Sent as `Last-Event-ID` on the first connection, to resume a stream seen before. */
  readonly lastEventId?: string | undefined
}

/**
 * A failure of the body after the response began: the stream may continue on a new connection.
 * @internal
 */
export class Dropped<E> {
  readonly _tag = "Dropped"
  constructor(readonly error: E) {}
}

/** How much of an error's streamed body a `StatusError` carries: 1 MiB. @internal */
export const ERROR_BODY_LIMIT = 1 << 20

/**
 * The chunks of a streamed error body, gathered until `ERROR_BODY_LIMIT` (`add` tells whether to read on).
 * @internal
 */
export class ErrorBody {
  private readonly chunks: Array<Uint8Array> = []
  private size = 0
  /** Keeps `chunk`; whether to read another. */
  add(chunk: Uint8Array): boolean {
    this.chunks.push(chunk)
    this.size += chunk.byteLength
    return this.size < ERROR_BODY_LIMIT
  }
  /** The bytes gathered. */
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.size)
  }
}

/**
 * A body read into memory up to `limit` bytes (the client's `maxResponseSize`), by a transport that is handed its
 * chunks (a platform `HttpClient`'s body stream): `add` keeps a chunk, or says the body is over the limit.
 * @internal
 */
export class BoundedBody {
  private readonly chunks: Array<Uint8Array> = []
  private size = 0
  constructor(private readonly limit: number) {}
  /** Keeps `chunk`; the failure when the body is now over the limit. */
  add(chunk: Uint8Array): TransportFailure | undefined {
    this.size += chunk.byteLength
    if (this.size > this.limit) return new TransportFailure("ResponseTooLarge", undefined, `limit ${this.limit}`)
    this.chunks.push(chunk)
    return undefined
  }
  /** The bytes kept. */
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.size)
  }
}

/**
 * One line of an ndjson body parsed as JSON: the value, or what `JSON.parse` threw.
 * @internal
 */
export const parseNdjsonLine = (line: string): { readonly value: unknown } | { readonly cause: unknown } => {
  try {
    return { value: JSON.parse(line) }
  } catch (cause) {
    return { cause }
  }
}

/**
 * The lines of one ndjson body in order: a blank line is skipped but counted, so a `DecodeError`'s `line` is the
 * body's 1-based line number.
 * @internal
 */
export class NdjsonLines {
  private count = 0
  /** The next line: undefined when blank, else its number with the parsed value or what `JSON.parse` threw. */
  read(
    text: string
  ): ({ readonly line: number } & ({ readonly value: unknown } | { readonly cause: unknown })) | undefined {
    const line = ++this.count
    return text.trim() === "" ? undefined : { line, ...parseNdjsonLine(text) }
  }
}
