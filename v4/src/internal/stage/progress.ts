/** @internal */
import * as Effect from "effect/Effect"
import type { RawResponse } from "../../../../src/core/exchange.js"
import { type Progress, wholeBody } from "../../../../src/core/progress.js"
import type { Attempt } from "../attempt.js"
import { countedBody, sizeInMemory } from "../body.js"
import { runHook } from "../hooks.js"

/**
 * The request option `onProgress` (when the request has one; else the rest of the attempt as it is), by the core's
 * rules (src/core/progress.ts): a `stream` body reports its bytes as the transport takes them, a body in memory
 * once the response's head has come. For a buffered attempt (`buffered`), the body read into memory is reported
 * too, in one piece (a streamed one reports its body as the stream verbs read it: `streams.ts`). Outside
 * `redirects`: the reports are the attempt's, not each hop's.
 * @internal
 */
export const progress = <R>(buffered: boolean) => (next: Attempt<R>): Attempt<R> => (state, request) => {
  const onProgress = state.options.onProgress
  if (onProgress === undefined) return next(state, request)
  const report = (progress: Progress) => runHook(onProgress, progress, "onProgress")
  const body = countedBody(request.body, report)
  const outgoing = body === request.body ? request : { ...request, body }
  return Effect.map(next(state, outgoing), (response) => {
    const size = sizeInMemory(request.body)
    const sent = size === undefined ? undefined : wholeBody("upload", size)
    if (sent !== undefined) report(sent)
    if (buffered) report(wholeBody("download", (response as RawResponse).body.byteLength)!)
    return response
  })
}
