/** @internal */
import * as Effect from "effect/Effect"
import type { RawResponse } from "../../../../src/core/exchange.js"
import type { Attempt } from "../attempt.js"
import { type Interceptor, run, runRequestSide } from "../interceptor.js"
import type { StreamingResponse } from "../transport.js"

/**
 * The interceptors, when there are any: the request sides rewrite what is sent, the response sides see the response
 * in memory (before classification) and may resend within the attempt.
 * @internal
 */
export const interceptors =
  (list: ReadonlyArray<Interceptor> | undefined) => (next: Attempt<RawResponse>): Attempt<RawResponse> =>
    list === undefined ? next : (state, request) => run(list, state, request, (out) => next(state, out))

/**
 * The request sides only, for a streamed attempt (a response side could not see its body in memory), as the root
 * entry's.
 * @internal
 */
export const requestInterceptors =
  (list: ReadonlyArray<Interceptor> | undefined) => (next: Attempt<StreamingResponse>): Attempt<StreamingResponse> =>
    list === undefined ?
      next :
      (state, request) => Effect.flatMap(runRequestSide(list, state, request), (outgoing) => next(state, outgoing))
