/**
 * The test kit's fault injection (`HttpResilientTest.chaos`), Effect-free: its options, the rule its rates keep, and
 * which fault one request gets from the random draws. Each edition passes its own seeded generator in as `draw`
 * and plays the decision (the wait, the failure, the injected reply) with its own Effect.
 * @internal
 */
import { TransportFailure, type TransportReason } from "./transportFailure.js"

/**
 * A transport fault the test kit can script or inject: any transport reason a server or a network causes, or
 * `"Timeout"` (the attempt timeout runs out).
 * @internal
 */
export type ScriptFault =
  | Exclude<TransportReason, "RedirectLoop" | "TooManyRedirects" | "StreamEnded" | "InsecureRedirect">
  | "Timeout"

/**
 * `HttpResilientTest.chaos`'s options, over each edition's duration input `D`.
 * @internal
 */
export interface ChaosOptionsOf<D> {
  /** seed of the random choices; the same seed gives the same faults in the same order */
  readonly seed?: number | undefined
  /** add `delay` before a share `rate` (0..1) of requests */
  readonly latency?: { readonly rate: number; readonly delay: D } | undefined
  /** answer a share `rate` of requests with `status` (default 503) without sending them */
  readonly status?: { readonly rate: number; readonly status?: number | undefined } | undefined
  /** fail a share `rate` of requests with a transport fault (default ConnectionReset) without sending them */
  readonly fault?: { readonly rate: number; readonly reason?: ScriptFault | undefined } | undefined
}

/**
 * The rule a chaos rate keeps: a share from 0 (never) to 1 (always).
 * @internal
 */
export const isRate01 = (u: unknown): boolean => typeof u === "number" && u >= 0 && u <= 1

/**
 * What a chaos rate is, as an error says it.
 * @internal
 */
export const rate01Expected = "within 0..1"

/**
 * The rates `chaos` checks, in the order it checks them.
 * @internal
 */
export const chaosRates = ["latency", "status", "fault"] as const

/**
 * The first rate of `options` that breaks the rule, as `chaos` reports it
 * (`HttpResilientTest.chaos: status.rate 2 is not within 0..1`), or undefined.
 * @internal
 */
export const chaosProblem = <D>(options: ChaosOptionsOf<D>): string | undefined => {
  for (const name of chaosRates) {
    const given = options[name]
    if (given && !isRate01(given.rate)) {
      return `HttpResilientTest.chaos: ${name}.rate ${String(given.rate)} is not ${rate01Expected}`
    }
  }
  return undefined
}

/** Whether a draw falls within `rate`; a rate that is absent or 0 never draws. */
const rolls = (rate: number | undefined, draw: () => number): boolean => rate !== undefined && rate > 0 && draw() < rate

/**
 * Whether this request waits the injected latency first: the request's first draw (none when no latency is set).
 * @internal
 */
export const chaosLatency = <D>(options: ChaosOptionsOf<D>, draw: () => number): boolean =>
  rolls(options.latency?.rate, draw)

/**
 * What is injected in place of the exchange (after the latency, if any): a transport fault (default
 * `ConnectionReset`) drawn first, else a status (default 503), else nothing — the request goes to the transport.
 * @internal
 */
export type ChaosOutcome =
  | { readonly _tag: "Fault"; readonly reason: ScriptFault }
  | { readonly _tag: "Status"; readonly status: number }
  | undefined

/**
 * The outcome of one request from its next draws: the fault's, then (when no fault) the status's.
 * @internal
 */
export const chaosOutcome = <D>(options: ChaosOptionsOf<D>, draw: () => number): ChaosOutcome => {
  if (rolls(options.fault?.rate, draw)) return { _tag: "Fault", reason: options.fault?.reason ?? "ConnectionReset" }
  if (rolls(options.status?.rate, draw)) return { _tag: "Status", status: options.status?.status ?? 503 }
  return undefined
}

/**
 * The body of an injected status.
 * @internal
 */
export const injectedBody = "injected"

/**
 * How an edition plays one request's outcome: `send` it to the transport, `fail` it with the injected fault, or
 * `reply` with the injected status and body.
 * @internal
 */
export interface ChaosPlay<A> {
  readonly send: () => A
  readonly fail: (failure: TransportFailure) => A
  readonly reply: (status: number, body: string) => A
}

/**
 * Draws one request's outcome ({@link chaosOutcome}) and plays it with the edition's `play`.
 * @internal
 */
export const playChaos = <D, A>(options: ChaosOptionsOf<D>, draw: () => number, play: ChaosPlay<A>): A => {
  const outcome = chaosOutcome(options, draw)
  if (outcome === undefined) return play.send()
  return outcome._tag === "Fault"
    ? play.fail(new TransportFailure(outcome.reason, new Error("injected fault")))
    : play.reply(outcome.status, injectedBody)
}
