/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Effect from "effect/Effect"
import { redactUrl } from "../../core/secrets.js"
import { type HttpResilientError, TransportError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"
import type { ResolvedConfig } from "../config.js"
import type { Outgoing } from "../interceptor.js"

/** @internal */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** @internal */
export interface Hop {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: HttpBody.HttpBody
}

/**
 * Redirects, followed inside the attempt (a retry starts again from the original URL), each hop through the stages
 * after this one (the transport), by the rules of `redirectHop`. `drain` reads and drops a redirect's own body
 * before the next hop, when the response still holds it (a streamed one), so that its connection can be reused.
 * @internal
 */
export const redirects = <R extends { readonly status: number; readonly headers: Record<string, string> }>(
  config: ResolvedConfig,
  drain?: (response: R) => Effect.Effect<unknown>
) =>
(next: Attempt<R>): Attempt<R> => {
  const follow = (
    state: AttemptState,
    request: Outgoing,
    redirects: number,
    visited: Set<string> | undefined
  ): Effect.Effect<R, HttpResilientError> =>
    Effect.flatMap(next(state, request), (response) => {
      const prepared = state.prepared
      const maxRedirects = prepared.followRedirects ?? config.followRedirects
      if (!redirectStatuses.has(response.status) || maxRedirects === 0) return Effect.succeed(response)
      const hop = redirectHop(
        request,
        response.status,
        response.headers.location,
        prepared.replayable,
        redirects,
        maxRedirects,
        visited,
        { method: prepared.method, url: state.shown(), attempt: state.attempt },
        config
      )
      if (hop === undefined) return Effect.succeed(response)
      const after = hop instanceof TransportError ? Effect.fail(hop) : follow(state, hop, redirects + 1, hop.visited)
      return drain === undefined ? after : Effect.zipRight(drain(response), after)
    })
  return (state, request) => follow(state, request, 0, undefined)
}

/**
 * The request a redirect leads to, or `undefined` when the response is to be handed back as it is (not a redirect,
 * redirects off, no usable `Location`, or a method/body that may not follow), or a `TransportError` for a loop or
 * too many redirects. 301/302 follow for GET and HEAD only; 303 becomes a GET without a body; 307/308 keep the
 * method and body when the body can be sent again. A hop to another origin carries no secret header (the client's
 * one rule, `Secrets.isSecretHeader`: what is redacted is what is dropped) and no `Host`; a hop from https: to http:
 * fails with `InsecureRedirect` unless the client allows it.
 * @internal
 */
export const redirectHop = (
  request: Hop,
  status: number,
  location: string | undefined,
  replayable: boolean,
  redirects: number,
  maxRedirects: number,
  visited: Set<string> | undefined,
  info: { readonly method: string; readonly url: string; readonly attempt: number },
  rules: Pick<ResolvedConfig, "redacted" | "allowInsecureRedirects">
): (Hop & { readonly visited: Set<string> }) | TransportError | undefined => {
  if (!redirectStatuses.has(status) || maxRedirects === 0 || location === undefined) return undefined
  const { body, headers, method, url } = request
  let nextMethod = method
  let nextBody = body
  if (status === 303) {
    if (method !== "HEAD") nextMethod = "GET"
    nextBody = HttpBody.empty
  } else if (status === 301 || status === 302) {
    if (method !== "GET" && method !== "HEAD") return undefined
  } else if (method !== "GET" && method !== "HEAD" && !replayable) {
    return undefined
  }
  let next: URL
  try {
    next = new URL(location, url)
  } catch {
    return undefined
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") return undefined
  if (url.protocol === "https:" && next.protocol === "http:" && !rules.allowInsecureRedirects) {
    return new TransportError({
      ...info,
      reason: "InsecureRedirect",
      detail: `to ${redactUrl(next, rules.redacted)}; set allowInsecureRedirects: true to follow`
    })
  }
  const seen = visited ?? new Set([`${method} ${url.href}`])
  const key = `${nextMethod} ${next.href}`
  if (seen.has(key)) {
    return new TransportError({ ...info, reason: "RedirectLoop", detail: `back to ${redactUrl(next, rules.redacted)}` })
  }
  if (redirects >= maxRedirects) {
    return new TransportError({ ...info, reason: "TooManyRedirects", detail: `more than ${maxRedirects}` })
  }
  seen.add(key)
  let nextHeaders = headers
  if (next.origin !== url.origin || nextBody !== body) {
    nextHeaders = { ...headers }
    if (next.origin !== url.origin) {
      for (const name in nextHeaders) {
        if (name === "host" || rules.redacted.isSecretHeader(name)) delete nextHeaders[name]
      }
    }
    if (nextBody !== body) {
      delete nextHeaders["content-type"]
      delete nextHeaders["content-length"]
    }
  }
  return { method: nextMethod, url: next, headers: nextHeaders, body: nextBody, visited: seen }
}
