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
export const redirects =
  (client: Pick<ClientState, "followRedirects" | "secrets" | "allowInsecureRedirects">) =>
  (next: Attempt<RawResponse>): Attempt<RawResponse> => {
    const rules = { redacted: client.secrets, allowInsecureRedirects: client.allowInsecureRedirects }
    const follow = (
      state: AttemptState,
      request: Outgoing,
      redirects: number,
      visited: Set<string> | undefined
    ): Effect.Effect<RawResponse, HttpResilientError> =>
      Effect.flatMap(next(state, request), (raw) => {
        // only a 3xx can be a hop: other responses leave their headers unread
        if (raw.status < 300 || raw.status > 399) return Effect.succeed(raw)
        const hop = redirectHop<Outgoing["body"]>(
          request,
          { status: raw.status, location: raw.headers.location },
          { replayable: true, redirects, maxRedirects: client.followRedirects, visited },
          rules,
          null
        )
        if (hop === undefined) return Effect.succeed(raw)
        if (hop instanceof RedirectRefused) {
          return Effect.fail(failureToError(new TransportFailure(hop.reason, undefined, hop.detail), state))
        }
        return follow(state, hop, redirects + 1, hop.visited)
      })
    return (state, request) => follow(state, request, 0, undefined)
  }
