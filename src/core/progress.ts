/**
 * What the request option `onProgress` reports, the one rule both editions follow: a stream body chunk by chunk as
 * the transport takes it, a body in memory once (its size, when the response's head has come), a body read into
 * memory once, a streamed download chunk by chunk; `total` when the size is known. Effect-free: each edition calls
 * the user's function its own way (a throw or a failure is logged, never breaks the transfer).
 * @internal
 */

/**
 * One report of `onProgress`: the bytes of the request body sent (`upload`) or of the response body received
 * (`download`) so far, and the whole size when it is known.
 * @internal
 */
export interface Progress {
  readonly direction: "upload" | "download"
  /** bytes so far */
  readonly bytes: number
  /**
   * the whole size, when known: the `contentLength` option of a `stream` body, the size of a body in memory, the
   * response's `Content-Length` (not when it has a `Content-Encoding`: then the decoded size is not known)
   */
  readonly total?: number | undefined
}

/**
 * The count of one run of a stream body (made anew for each run: a retried upload counts from 0): a function of each
 * chunk that reports the bytes so far (`total`: the body's declared length) and hands the chunk on.
 * @internal
 */
export const countChunks = <C extends Iterable<Uint8Array>>(
  total: number | undefined,
  report: (progress: Progress) => void
): (chunk: C) => C => {
  let bytes = 0
  return (chunk) => {
    for (const part of chunk) bytes += part.byteLength
    report({ direction: "upload", bytes, total })
    return chunk
  }
}

/**
 * The one report of a body held in memory (`size` bytes) once it was sent, or of a body read into memory: its size
 * as both `bytes` and `total`. An upload of 0 bytes is not reported.
 * @internal
 */
export const wholeBody = (direction: "upload" | "download", size: number): Progress | undefined =>
  direction === "upload" && size === 0 ? undefined : { direction, bytes: size, total: size }

/**
 * The whole size of a response's body when its head says it: its `Content-Length`, unless a `Content-Encoding`
 * makes the bytes read differ from it.
 * @internal
 */
export const totalOf = (headers: Record<string, string>): number | undefined => {
  const length = headers["content-length"]
  if (length === undefined || headers["content-encoding"] !== undefined) return undefined
  const total = Number(length)
  return Number.isSafeInteger(total) && total >= 0 ? total : undefined
}
