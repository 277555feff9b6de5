/** @internal */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import type { Attempt } from "../attempt.js"
import type { ClientState } from "../client.js"

/**
 * Whether an attempt run by `fiber` gets its span: the client option `tracing` when set, else whether a tracer is
 * installed (the fiber's `Tracer` is not v4's `nativeTracer`), as the root entry decides; never while the fiber's
 * `TracerEnabled` is off.
 * @internal
 */
export const spansOn = (tracing: boolean | undefined, fiber: Fiber.Fiber<unknown, unknown>): boolean =>
  (tracing ?? fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer) && fiber.getRef(References.TracerEnabled)

/**
 * Telemetry around the rest of the attempt, the bulkhead's wait included: a span (`HTTP <method>`, kind client)
 * when the attempt's `spans` says so (`spansOn`), and always the duration histogram.
 * @internal
 */
export const telemetry =
  (client: Pick<ClientState, "recordDuration">) =>
  <A extends { readonly status: number }>(next: Attempt<A>): Attempt<A> =>
  (state, request) => {
    const rest = next(state, request)
    const built = state.built
    const number = state.info.attempt
    const tag = state.options.tag
    const traced = state.spans
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
