/**
 * The request option `onProgress`: bytes sent and received, reported as they move.
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Chunk from "effect/Chunk"
import * as Stream from "effect/Stream"
import { runHook } from "./hooks.js"

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

/** @internal */
export type OnProgress = (progress: Progress) => unknown

/**
 * Calls `onProgress` as a hook is called: what it throws, or an Effect or Promise of it that fails, is logged at
 * Warning level (naming `onProgress`) and never breaks the transfer.
 * @internal
 */
export const report = (onProgress: OnProgress, progress: Progress): void => runHook(onProgress, progress, "onProgress")

/**
 * A request body whose bytes are reported as the transport takes them: a stream body chunk by chunk (counted from
 * 0 on every run of the stream), anything else as it is (see `reportSent`).
 * @internal
 */
export const countedBody = (body: HttpBody.HttpBody, onProgress: OnProgress): HttpBody.HttpBody => {
  if (body._tag !== "Stream") return body
  const total = body.contentLength
  const source = body.stream
  return HttpBody.stream(
    Stream.suspend(() => {
      let bytes = 0
      return Stream.mapChunks(source, (chunk) => {
        Chunk.forEach(chunk, (part) => {
          bytes += part.byteLength
        })
        report(onProgress, { direction: "upload", bytes, total })
        return chunk
      })
    }),
    body.contentType,
    total
  )
}

/**
 * A body held in memory goes to the socket in one piece: one `upload` report, its size, once the response's head
 * has come (the server had it all). Stream bodies report as they go (`countedBody`), a form's size is not known.
 * @internal
 */
export const reportSent = (body: HttpBody.HttpBody, onProgress: OnProgress): void => {
  if (body._tag === "Uint8Array" && body.body.byteLength > 0) {
    const size = body.body.byteLength
    report(onProgress, { direction: "upload", bytes: size, total: size })
  }
}

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
