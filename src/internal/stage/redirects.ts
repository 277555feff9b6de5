/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Effect from "effect/Effect"
import * as Core from "../../core/redirects.js"
import { type HttpResilientError, TransportError } from "../../HttpResilientError.js"
import type { Attempt, AttemptState } from "../attempt.js"
import type { ResolvedConfig } from "../config.js"
import type { Outgoing } from "../interceptor.js"

/** @internal */
export const redirectStatuses: ReadonlySet<number> = Core.redirectStatuses

/** @internal */
export interface Hop extends Core.Hop<HttpBody.HttpBody> {}

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
      return drain === undefined ? after : Effect.zipRight(state.wait(drain(response)), after)
    })
  return (state, request) => follow(state, request, 0, undefined)
}

/**
 * The core's `redirectHop` (src/core/redirects.ts) over platform bodies; a refused hop is a `TransportError`.
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
  const hop = Core.redirectHop(
    request,
    { status, location },
    { replayable, redirects, maxRedirects, visited },
    rules,
    HttpBody.empty
  )
  return hop instanceof Core.RedirectRefused
    ? new TransportError({ ...info, reason: hop.reason, detail: hop.detail })
    : hop
}
