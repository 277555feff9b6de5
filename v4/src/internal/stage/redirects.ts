/** @internal */
import * as Effect from "effect/Effect"
import type { RawResponse } from "../../../../src/core/exchange.js"
import { redirectHop, RedirectRefused } from "../../../../src/core/redirects.js"
import { TransportFailure } from "../../../../src/core/transportFailure.js"
import type { HttpResilientError } from "../../HttpResilientError.js"
import { type Attempt, type AttemptState, failureToError, type Outgoing } from "../attempt.js"
import type { ClientState } from "../client.js"

/**
 * Redirects, followed inside the attempt (a retry starts again from the original URL), each hop through the stages
 * after this one (the transport), by the core's rules (src/core/redirects.ts); a refused hop fails with
 * `TransportError` of its reason (`RedirectLoop`, `TooManyRedirects`, `InsecureRedirect`).
 * @internal
 */
export const redirects = <R extends Pick<RawResponse, "status" | "headers"> = RawResponse>(
  client: Pick<ClientState, "followRedirects" | "secrets" | "allowInsecureRedirects">,
  /** what is done with a redirect's response before the next hop (a streamed one's body is read and dropped) */
  discard?: (response: R) => Effect.Effect<unknown>
) =>
(next: Attempt<R>): Attempt<R> => {
  const rules = { redacted: client.secrets, allowInsecureRedirects: client.allowInsecureRedirects }
  const follow = (
    state: AttemptState,
    request: Outgoing,
    redirects: number,
    visited: Set<string> | undefined
  ): Effect.Effect<R, HttpResilientError> =>
    Effect.flatMap(next(state, request), (raw) => {
      // only a 3xx can be a hop: other responses leave their headers unread
      if (raw.status < 300 || raw.status > 399) return Effect.succeed(raw)
      const hop = redirectHop<Outgoing["body"]>(
        request,
        { status: raw.status, location: raw.headers.location },
        { replayable: state.call.replayable, redirects, maxRedirects: client.followRedirects, visited },
        rules,
        null
      )
      if (hop === undefined) return Effect.succeed(raw)
      if (hop instanceof RedirectRefused) {
        return Effect.fail(failureToError(new TransportFailure(hop.reason, undefined, hop.detail), state))
      }
      const go = follow(state, hop, redirects + 1, hop.visited)
      return discard === undefined ? go : Effect.andThen(discard(raw), go)
    })
  return (state, request) => follow(state, request, 0, undefined)
}
