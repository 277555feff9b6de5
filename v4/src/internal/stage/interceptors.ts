/** @internal */
import type { RawResponse } from "../../../../src/core/exchange.js"
import type { Attempt } from "../attempt.js"
import { type Interceptor, run } from "../interceptor.js"

/**
 * The interceptors, when there are any: the request sides rewrite what is sent, the response sides see the response
 * in memory (before classification) and may resend within the attempt.
 * @internal
 */
export const interceptors =
  (list: ReadonlyArray<Interceptor> | undefined) => (next: Attempt<RawResponse>): Attempt<RawResponse> =>
    list === undefined ? next : (state, request) => run(list, state, request, (out) => next(state, out))
