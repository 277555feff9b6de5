/** @internal */
import * as Effect from "effect/Effect"
import { InterceptorError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"
import type { CookieJar } from "../cookies.js"

/**
 * Cookies (when the client has a jar), on every hop of an attempt (this stage runs inside `redirects`): the request
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
      return Effect.flatMap(viaJar(state, () => jar.getCookieString(href)), (stored) => {
        let outgoing = request
        if (typeof stored === "string" && stored !== "") {
          const own = request.headers.cookie
          outgoing = {
            method: request.method,
            url: request.url,
            headers: { ...request.headers, cookie: own === undefined || own === "" ? stored : `${own}; ${stored}` },
            body: request.body
          }
        }
        return Effect.flatMap(next(state, outgoing), (response) => {
          const set = response.setCookie
          if (set.length === 0) return Effect.succeed(response)
          return Effect.as(
            viaJar(state, () =>
              set.reduce<Promise<unknown>>(
                (done, cookie) => done.then(() => jar.setCookie(cookie, href, { ignoreError: true })),
                Promise.resolve()
              )),
            response
          )
        })
      })
    }

const viaJar = <A>(state: AttemptState, use: () => Promise<A>): Effect.Effect<A, InterceptorError> =>
  Effect.tryPromise({
    try: use,
    catch: (cause) =>
      new InterceptorError({
        method: state.prepared.method,
        url: state.shown(),
        attempt: state.attempt,
        interceptor: "cookies",
        cause
      })
  })
