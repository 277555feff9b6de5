/**
 * Fault injection over the transport in context (`HttpResilientTest.chaos`): the core's decision
 * (src/core/chaos.ts) drawn from v4's `Random` service seeded with `Random.withSeed(seed)` (one generator per built
 * layer), the latency on the fiber's `Clock` within the attempt timeout, an injected status played like a scripted
 * reply.
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { chaosLatency, type ChaosOptionsOf, chaosProblem, playChaos } from "../../../src/core/chaos.js"
import { nonNegativeDuration } from "../../../src/core/durationRules.js"
import { scriptedBody } from "../../../src/core/scriptedReply.js"
import { TIMEOUT, type TransportFailure } from "../../../src/core/transportFailure.js"
import { Transport } from "../Transport.js"
import { millisOf } from "./options.js"
import { playSend } from "./scripted.js"
import type { Transport as TransportService, TransportRequest } from "./transport.js"

/** @internal */
export interface ChaosOptions extends ChaosOptionsOf<Duration.Input> {}

/**
 * Waits `millis` on the fiber's clock before `next`, failing with the attempt timeout if the request's
 * `timeoutMillis` runs out first; `next` gets what is left of it.
 */
const afterLatency = <A>(
  request: TransportRequest,
  millis: number,
  next: (request: TransportRequest) => Effect.Effect<A, TransportFailure>
): Effect.Effect<A, TransportFailure> => {
  const limit = request.timeoutMillis
  if (millis >= limit) return Effect.flatMap(Effect.sleep(Math.max(0, limit)), () => Effect.fail(TIMEOUT))
  return Effect.flatMap(Effect.sleep(millis), () => next({ ...request, timeoutMillis: limit - millis }))
}

/** @internal */
export const chaos = (options: ChaosOptions): Layer.Layer<Transport, never, Transport> => {
  const problem = chaosProblem(options)
  if (problem !== undefined) throw new RangeError(problem)
  const latencyMillis = options.latency
    ? millisOf("HttpResilientTest.chaos", "latency.delay", options.latency.delay, nonNegativeDuration)
    : 0
  return Layer.effect(
    Transport,
    Effect.gen(function*() {
      const inner = yield* Transport
      const random = yield* Random.withSeed(Effect.service(Random.Random), options.seed ?? 0)
      const draw = () => random.nextDoubleUnsafe()
      const sent = (request: TransportRequest) =>
        Effect.suspend(() =>
          playChaos(options, draw, {
            send: () => inner.send(request),
            fail: Effect.fail,
            reply: (status, body) =>
              playSend(request, {
                _tag: "Reply",
                ...scriptedBody(status, { body }),
                delayMillis: 0,
                chunkDelayMillis: 0
              })
          })
        )
      const send = (request: TransportRequest) =>
        Effect.suspend(() => chaosLatency(options, draw) ? afterLatency(request, latencyMillis, sent) : sent(request))
      return { ...inner, send } satisfies TransportService
    })
  )
}
