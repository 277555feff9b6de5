/**
 * Fault injection over a real transport (`HttpResilientTest.chaos`).
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { chaosLatency, type ChaosOptionsOf, chaosRates, playChaos } from "../../core/chaos.js"
import { constructorFrame, decodeOrThrow, firstProblemDecoder, ruleSchema } from "../schema/frame.js"
import { NonNegativeDuration, Rate01 } from "../schema/rules.js"
import { Transport, type TransportRequest, type TransportService } from "../transport.js"
import { runStep, waitStep } from "./play.js"
import { reply } from "./script.js"

/** @internal */
export interface ChaosOptions extends ChaosOptionsOf<Duration.DurationInput> {}

/** The Schema of a chaos option's `rate` (the shared `Rate01`), reporting as `chaos` throws: a `RangeError`. */
const rateDecoder = (name: string) =>
  firstProblemDecoder(ruleSchema<number>(
    [`${name}.rate`],
    Rate01,
    constructorFrame(
      "HttpResilientTest.chaos",
      (path, value, rule) => `HttpResilientTest.chaos: ${path.join(".")} ${String(value)} is not ${rule.expected}`
    )
  ))

const rateDecoders = { latency: rateDecoder("latency"), status: rateDecoder("status"), fault: rateDecoder("fault") }

/** The Schema of `latency.delay` (the shared `NonNegativeDuration`), reporting as a rate does. */
const delayDecoder = firstProblemDecoder(ruleSchema<Duration.DurationInput>(
  ["latency.delay"],
  NonNegativeDuration,
  constructorFrame(
    "HttpResilientTest.chaos",
    (path, value, rule) => `HttpResilientTest.chaos: ${path.join(".")} ${String(value)} is not ${rule.expected}`
  )
))

/** @internal */
export const chaos = (options: ChaosOptions): Layer.Layer<Transport, never, Transport> => {
  for (const name of chaosRates) {
    const given = options[name]
    if (given) decodeOrThrow(rateDecoders[name], given.rate, (message) => new RangeError(message))
  }
  if (options.latency) decodeOrThrow(delayDecoder, options.latency.delay, (message) => new RangeError(message))
  return Layer.effect(
    Transport,
    Effect.map(Transport, (inner): TransportService => {
      const random = Random.make(options.seed ?? 0)
      // one draw of the seeded generator, for the core's decision (a `Random.make` generator's `next` is synchronous)
      const draw = () => Effect.runSync(random.next)
      const latency = options.latency ? Duration.decode(options.latency.delay) : Duration.zero
      const latencyMillis = Duration.toMillis(latency)
      const sent = (request: TransportRequest) =>
        Effect.suspend(() =>
          playChaos(options, draw, {
            send: () => inner.send(request),
            fail: Effect.fail,
            reply: (status, body) => runStep(request, reply(status, { body }))
          })
        )
      // injected latency is part of the attempt, as a slow server's would be: it runs under the attempt timeout (a
      // latency past it is the attempt's timeout) and what follows gets what is left of it
      const send = (request: TransportRequest) =>
        Effect.suspend(() =>
          chaosLatency(options, draw)
            ? Effect.zipRight(
              waitStep(request, latency),
              sent({ ...request, timeoutMillis: request.timeoutMillis - latencyMillis })
            )
            : sent(request)
        )
      return { send, stream: inner.stream, warmUp: inner.warmUp }
    })
  )
}
