/** @internal */
import * as Effect from "effect/Effect"
import { type CookieJar, storeSetCookies, withJarCookies } from "../../../../src/core/cookies.js"
import { InterceptorError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"

/**
 * Cookies, on every hop of an attempt when the client has a jar (this stage runs inside `redirects`), by the core's
 * rules (src/core/cookies.ts): the hop carries the jar's cookies for its URL after the request's own `cookie`
 * header, on its copy of the headers only, and its response's `Set-Cookie`s are given to the jar before the next
 * hop. A jar that fails fails the attempt with `InterceptorError` (interceptor `"cookies"`). No jar: `next` itself.
 * @internal
 */
export const cookies =
  (jar: CookieJar | undefined) =>
  <R extends { readonly setCookie: ReadonlyArray<string> }>(next: Attempt<R>): Attempt<R> => {
    if (jar === undefined) return next
    const jarStep = <A>(state: AttemptState, step: () => Promise<A>) =>
      Effect.tryPromise({
        try: step,
        catch: (cause) => new InterceptorError({ ...state.info, interceptor: "cookies", cause })
      })
    return (state, request) => {
      const url = request.url.href
      return jarStep(state, () => jar.getCookieString(url)).pipe(
        Effect.flatMap((stored) => next(state, withJarCookies(request, stored))),
        Effect.tap((response) =>
          response.setCookie.length === 0
            ? Effect.void
            : jarStep(state, () => storeSetCookies(jar, response.setCookie, url))
        )
      )
    }
  }
