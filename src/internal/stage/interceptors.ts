/** @internal */
import * as Effect from "effect/Effect"
import type { Attempt } from "../attempt.js"
import type { ResolvedConfig } from "../config.js"
import * as Interceptors from "../interceptor.js"
import type { RawResponse } from "../response.js"
import type { StreamingResponse } from "../transport.js"

/**
 * The interceptors of a buffered attempt (when there are any): the request side rewrites what is sent (the span's
 * `traceparent` already among its headers), the response side sees the buffered response and may resend.
 * @internal
 */
export const interceptors = (config: ResolvedConfig) => (next: Attempt<RawResponse>): Attempt<RawResponse> => {
  const list = config.interceptors
  return list === undefined ? next : (state, request) => {
    const prepared = state.prepared
    return Interceptors.runRaw(
      list,
      request.headers === prepared.headers ? prepared : { ...prepared, headers: request.headers },
      state.attempt,
      config.redacted,
      (out) => next(state, out)
    )
  }
}

/**
 * The request side only, for a streamed attempt (response interceptors could not see its body in memory).
 * @internal
 */
export const requestInterceptors =
  (config: ResolvedConfig) => (next: Attempt<StreamingResponse>): Attempt<StreamingResponse> => {
    const list = config.interceptors
    return list === undefined ? next : (state, request) =>
      Effect.flatMap(
        Interceptors.runRequestSide(list, { ...state.prepared, headers: request.headers }, state.attempt),
        (outgoing) => next(state, outgoing)
      )
  }
