/**
 * Fault injection over a real transport (`HttpResilientTest.chaos`).
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { constructorFrame, decodeOrThrow, firstProblemDecoder, ruleSchema } from "../schema/frame.js"
import { Rate01 } from "../schema/rules.js"
import { Transport, TransportFailure, type TransportRequest, type TransportService } from "../transport.js"
import { runStep, waitStep } from "./play.js"
import { type Fault, reply } from "./script.js"

/** @internal */
export interface ChaosOptions {
  /** seed of the random choices; the same seed gives the same faults in the same order */
  readonly seed?: number | undefined
  /** add `delay` before a share `rate` (0..1) of requests */
  readonly latency?: { readonly rate: number; readonly delay: Duration.DurationInput } | undefined
  /** answer a share `rate` of requests with `status` (default 503) without sending them */
  readonly status?: { readonly rate: number; readonly status?: number | undefined } | undefined
  /** fail a share `rate` of requests with a transport fault (default ConnectionReset) without sending them */
  readonly fault?: { readonly rate: number; readonly reason?: Fault | undefined } | undefined
}

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

const checkRate = (name: keyof typeof rateDecoders, rate: number) => {
  decodeOrThrow(rateDecoders[name], rate, (message) => new RangeError(message))
}

/** @internal */
export const chaos = (options: ChaosOptions): Layer.Layer<Transport, never, Transport> => {
  if (options.latency) checkRate("latency", options.latency.rate)
  if (options.status) checkRate("status", options.status.rate)
  if (options.fault) checkRate("fault", options.fault.rate)
  return Layer.effect(
    Transport,
    Effect.map(Transport, (inner): TransportService => {
      const random = Random.make(options.seed ?? 0)
      const roll = (rate: number | undefined) =>
        rate === undefined || rate <= 0 ? Effect.succeed(false) : Effect.map(random.next, (x) => x < rate)
      const latency = options.latency ? Duration.decode(options.latency.delay) : Duration.zero
      const send = (request: TransportRequest) =>
        Effect.gen(function*() {
          if (yield* roll(options.latency?.rate)) yield* waitStep(request, latency)
          if (yield* roll(options.fault?.rate)) {
            return yield* Effect.fail(
              new TransportFailure(options.fault?.reason ?? "ConnectionReset", new Error("injected fault"))
            )
          }
          if (yield* roll(options.status?.rate)) {
            return yield* runStep(request, reply(options.status?.status ?? 503, { body: "injected" }))
          }
          return yield* inner.send(request)
        })
      return { send, stream: inner.stream, warmUp: inner.warmUp }
    })
  )
}
