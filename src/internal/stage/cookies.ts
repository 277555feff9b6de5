/** @internal */
import * as Effect from "effect/Effect"
import { type CookieJar, storeSetCookies, withJarCookies } from "../../core/cookies.js"
import { InterceptorError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"

/**
 * Cookies (when the client has a jar, by the core's rules: src/core/cookies.ts), on every hop of an attempt (this stage runs inside `redirects`): the request
 * carries the cookies the jar sends to its URL (after a `cookie` header the request set itself), and every
 * `Set-Cookie` of the response is given to the jar for that URL, before the next hop. So a redirect carries what the
 * jar's domain and path rules allow for where it goes, and nothing else: the request's own `cookie` header, a secret
 * header, is dropped on a hop to another origin (`redirectHop`). The jar's cookies are added to this hop's copy of
 * the headers only: the request as events, errors and interceptors see it never holds them. A jar that fails (its
 * store) fails the attempt with `InterceptorError` (interceptor `"cookies"`); a `Set-Cookie` the jar refuses
 * (malformed, another domain, a public suffix) is ignored, as a browser ignores it.
 * @internal
 */
export const cookies =
  (jar: CookieJar | undefined) =>
  <R extends { readonly setCookie: ReadonlyArray<string> }>(next: Attempt<R>): Attempt<R> =>
    jar === undefined ? next : (state, request) => {
      const href = request.url.href
      return Effect.flatMap(
        viaJar(state, () => jar.getCookieString(href)),
        (stored) =>
          Effect.flatMap(next(state, withJarCookies(request, stored)), (response) => {
            const set = response.setCookie
            return set.length === 0
              ? Effect.succeed(response)
              : Effect.as(viaJar(state, () => storeSetCookies(jar, set, href)), response)
          })
      )
    }

const viaJar = <A>(state: AttemptState, use: () => Promise<A>): Effect.Effect<A, InterceptorError> =>
  state.wait(Effect.tryPromise({
    try: use,
    catch: (cause) =>
      new InterceptorError({
        method: state.prepared.method,
        url: state.shown(),
        attempt: state.attempt,
        interceptor: "cookies",
        cause
      })
  }))
