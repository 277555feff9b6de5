/** @internal */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Attempt } from "../attempt.js"
import type { ClientState } from "../client.js"

/**
 * Telemetry around the rest of the attempt, the bulkhead's wait included: a span (`HTTP <method>`, kind client)
 * when `tracing` is on, and always the duration histogram.
 * @internal
 */
export const telemetry =
  (client: Pick<ClientState, "tracing" | "recordDuration">) =>
  <A extends { readonly status: number }>(next: Attempt<A>): Attempt<A> =>
  (state, request) => {
    const rest = next(state, request)
    const built = state.built
    const number = state.info.attempt
    const tag = state.options.tag
    const traced = client.tracing
      ? Effect.withSpan(rest, `HTTP ${built.method}`, {
        kind: "client",
        attributes: {
          "http.request.method": built.method,
          "url.full": state.info.url,
          "server.address": built.url.hostname,
          ...(number > 1 ? { "http.request.resend_count": number - 1 } : {}),
          ...(tag === undefined ? {} : { "http_resilient.tag": tag })
        }
      })
      : rest
    return Effect.flatMap(Effect.exit(traced), (exit) =>
      Effect.withFiber((fiber) => {
        const end = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
        client.recordDuration(built, end - state.now, Exit.isSuccess(exit) ? exit.value.status : undefined, exit)
        return exit
      }))
  }
