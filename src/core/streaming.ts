/**
 * Pieces both editions' streaming verbs share, Effect-free: the head of a streamed response, a failure of its body
 * after the head (after which the stream may go on over a new connection), an error body collected up to a limit,
 * and one line of newline-delimited JSON parsed.
 * @internal
 */

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
