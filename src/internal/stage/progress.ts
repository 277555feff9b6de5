/** @internal */
import * as Effect from "effect/Effect"
import { wholeBody } from "../../core/progress.js"
import type { Attempt } from "../attempt.js"
import { countedBody, report, reportSent } from "../progress.js"
import type { RawResponse } from "../response.js"

/**
 * The request option `onProgress` (when the request has one; else the rest of the attempt as it is): a `stream`
 * body reports its bytes as the transport takes them, a body in memory once the response's head has come. For a
 * buffered attempt (`buffered`), the body read into memory is reported too, in one piece (a streamed one reports
 * its body as it flows: `stream.ts`). Outside `redirects`: the reports are the attempt's, not each hop's.
 * @internal
 */
export const progress = <R>(buffered: boolean) => (next: Attempt<R>): Attempt<R> => (state, request) => {
  const onProgress = state.prepared.options?.onProgress
  if (onProgress === undefined) return next(state, request)
  const body = countedBody(request.body, onProgress)
  const outgoing = body === request.body
    ? request
    : { method: request.method, url: request.url, headers: request.headers, body }
  return Effect.map(next(state, outgoing), (response) => {
    reportSent(request.body, onProgress)
    if (buffered) {
      report(onProgress, wholeBody("download", (response as RawResponse).body.byteLength)!)
    }
    return response
  })
}
