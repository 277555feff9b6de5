/**
 * Fault injection over a real transport (`HttpResilientTest.chaos`).
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { chaosLatency, type ChaosOptionsOf, chaosOutcome, chaosRates, injectedBody } from "../../core/chaos.js"
import { constructorFrame, decodeOrThrow, firstProblemDecoder, ruleSchema } from "../schema/frame.js"
import { Rate01 } from "../schema/rules.js"
import { Transport, TransportFailure, type TransportRequest, type TransportService } from "../transport.js"
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

/** @internal */
export const chaos = (options: ChaosOptions): Layer.Layer<Transport, never, Transport> => {
  for (const name of chaosRates) {
    const given = options[name]
    if (given) decodeOrThrow(rateDecoders[name], given.rate, (message) => new RangeError(message))
  }
  return Layer.effect(
    Transport,
    Effect.map(Transport, (inner): TransportService => {
      const random = Random.make(options.seed ?? 0)
      // one draw of the seeded generator, for the core's decision (a `Random.make` generator's `next` is synchronous)
      const draw = () => Effect.runSync(random.next)
      const latency = options.latency ? Duration.decode(options.latency.delay) : Duration.zero
      const send = (request: TransportRequest) =>
        Effect.suspend(() => {
          const sent = Effect.suspend(() => {
            const outcome = chaosOutcome(options, draw)
            if (outcome === undefined) return inner.send(request)
            return outcome._tag === "Fault"
              ? Effect.fail(new TransportFailure(outcome.reason, new Error("injected fault")))
              : runStep(request, reply(outcome.status, { body: injectedBody }))
          })
          return chaosLatency(options, draw) ? Effect.zipRight(waitStep(request, latency), sent) : sent
        })
      return { send, stream: inner.stream, warmUp: inner.warmUp }
    })
  )
}
