/**
 * The request option `onProgress`: bytes sent and received, reported as they move.
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Stream from "effect/Stream"
import { countChunks, type Progress as CoreProgress, totalOf as coreTotalOf, wholeBody } from "../core/progress.js"
import { runHook } from "./hooks.js"

/**
 * One report of `onProgress` (the core's, src/core/progress.ts).
 * @internal
 */
export type Progress = CoreProgress

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
  const counted = Stream.suspend(() =>
    Stream.mapChunks(source, countChunks(total, (progress) => report(onProgress, progress)))
  )
  return HttpBody.stream(counted, body.contentType, total)
}

/**
 * A body held in memory goes to the socket in one piece: one `upload` report, its size, once the response's head
 * has come (the server had it all). Stream bodies report as they go (`countedBody`), a form's size is not known.
 * @internal
 */
export const reportSent = (body: HttpBody.HttpBody, onProgress: OnProgress): void => {
  if (body._tag !== "Uint8Array") return
  const sent = wholeBody("upload", body.body.byteLength)
  if (sent !== undefined) report(onProgress, sent)
}

/**
 * The whole size of a response's body when its head says it (the core's rule).
 * @internal
 */
export const totalOf: (headers: Record<string, string>) => number | undefined = coreTotalOf
