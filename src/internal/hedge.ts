/** @internal */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Replay from "../core/replay.js"
import { redactUrl, type Secrets } from "../core/secrets.js"
import { TimeoutError } from "../HttpResilientError.js"
import { type ResilientEvent, RetryBudgetExhausted, RetryScheduled } from "../ResilientEvent.js"
import type { HedgeOptions, HedgeSettings } from "./hedgeSettings.js"
import { showValue } from "./optionValue.js"
import type { PreparedRequest } from "./request.js"
import { constructorFrame, decodeOrThrow, firstProblemDecoder } from "./schema/frame.js"
import { hedgeOptionsSchema } from "./schema/protections.js"
import * as Telemetry from "./telemetry.js"
import { scheduleAfterIo } from "./timer.js"

export type { HedgeOptions, HedgeSettings } from "./hedgeSettings.js"

/**
 * What a hedged call learns about its requests: each attempt inside reports whether it may be sent twice.
 * @internal
 */
export interface HedgeGate {
  /** 0: no request seen yet, 1: every request seen may be repeated, 2: one may not */
  state: 0 | 1 | 2
  method: string
  url: URL | undefined
  /** the client's rule for secret names, to show `url` */
  secrets: Secrets | undefined
  tag: string | undefined
  /** the generated `Idempotency-Key` of each call (by its options object) inside, shared by all copies */
  keys: Map<object, string> | undefined
}

/**
 * The generated `Idempotency-Key` of the call with `options` inside the hedge `gate`: the first copy generates it,
 * the others send the same one (else each copy would be a different request to the server).
 * @internal
 */
export const sharedKey = (gate: HedgeGate, options: object, generate: () => string): string => {
  const keys = gate.keys ??= new Map()
  let key = keys.get(options)
  if (key === undefined) {
    key = generate()
    keys.set(options, key)
  }
  return key
}

/** @internal */
export const currentHedgeGate: FiberRef.FiberRef<HedgeGate | undefined> = FiberRef.unsafeMake<HedgeGate | undefined>(
  undefined
)

/**
 * Whether a request may be sent more than once at the same time: an idempotent method, or POST/PATCH with an
 * Idempotency-Key, and a body that can be sent again.
 * @internal
 */
export const mayRepeat = (prepared: PreparedRequest): boolean => {
  if (!prepared.replayable) return false
  const keyed = prepared.headers["idempotency-key"] !== undefined ||
    (prepared.options?.idempotencyKey !== undefined && prepared.options.idempotencyKey !== false)
  return Replay.mayRepeat(prepared.method, keyed)
}

/**
 * Called by every attempt: tells an enclosing hedge what it is sending (a no-op outside `hedge`).
 * @internal
 */
export const observe = (gate: HedgeGate | undefined, prepared: PreparedRequest): void => {
  if (gate === undefined) return
  if (!mayRepeat(prepared)) gate.state = 2
  else if (gate.state === 0) gate.state = 1
  if (gate.url === undefined) {
    gate.method = prepared.method
    gate.url = prepared.url
    gate.secrets = prepared.secrets
    gate.tag = prepared.tag
  }
}

/**
 * What the hedger needs of the client, when one is in context.
 * @internal
 */
export interface HedgeClient {
  readonly retryBudget: { readonly tryRetry: (origin: string, nowMillis: number) => boolean } | undefined
  readonly publish: (event: ResilientEvent) => void
  readonly hasListeners: () => boolean
}

const decodeHedge = firstProblemDecoder(hedgeOptionsSchema(constructorFrame(
  "HttpResilient.hedge",
  (path, value, rule) =>
    path.length === 0
      ? `HttpResilient.hedge: expected { delay, maxHedges? }, got ${String(value)}`
      : `HttpResilient.hedge: ${path.join(".")} ${showValue(value)} is not ${rule.expected}`
)))

/**
 * The settings of `HttpResilient.hedge`'s options, checked by the Schema the client option `hedge` is checked by:
 * a `TypeError` for what is no options object or an unknown option, a `RangeError` naming a bad value.
 * @internal
 */
export const validate = (options: HedgeOptions): HedgeSettings => {
  decodeOrThrow(decodeHedge, options, (message, shape) => shape ? new TypeError(message) : new RangeError(message))
  return { delay: Duration.decode(options.delay), maxHedges: options.maxHedges ?? 1 }
}

/**
 * Pays for one more copy of a hedged call from the client's retry budget, telling listeners (`RetryScheduled` with
 * reason "hedge", or `RetryBudgetExhausted`); false when the budget is empty.
 */
const payForCopy = (
  client: HedgeClient,
  gate: HedgeGate,
  context: Context.Context<never>,
  clock: Clock.Clock,
  delay: Duration.Duration
): boolean => {
  const now = clock.unsafeCurrentTimeMillis()
  const info = {
    method: gate.method,
    url: redactUrl(gate.url!, gate.secrets),
    attempt: Context.get(context, Schedule.CurrentIterationMetadata).recurrence + 1,
    timestamp: now,
    tag: gate.tag
  }
  if (client.retryBudget !== undefined && !client.retryBudget.tryRetry(gate.url!.origin, now)) {
    if (client.hasListeners()) client.publish(new RetryBudgetExhausted(info))
    return false
  }
  if (client.hasListeners()) {
    client.publish(
      new RetryScheduled({
        ...info,
        delay,
        reason: "hedge",
        error: new TimeoutError({ ...info, scope: "attempt", timeout: delay })
      })
    )
  }
  return true
}

/**
 * Runs `self`; while no copy has answered, sends another copy every `delay`, up to `maxHedges` more, each paid
 * for from the client's retry budget. The first success wins and the other copies are interrupted (their
 * sockets aborted). A copy that fails does not end the call while another is still running; when all have
 * failed, the call fails with the earliest failure. Requests that may not be repeated are sent once.
 *
 * Built from one fiber per copy and a timer (a plain timer on Effect's clock, a sleep on any other), with no
 * race or extra fiber per call, so a call answered before `delay` costs little more than an un-hedged one.
 * @internal
 */
export const hedge = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  settings: HedgeSettings,
  clientOf: (context: Context.Context<never>) => HedgeClient | undefined
): Effect.Effect<A, E, R> => {
  const { delay, maxHedges } = settings
  const delayMillis = Duration.toMillis(delay)
  return Effect.flatMap(Effect.runtime<R>(), (runtime) =>
    Effect.withFiberRuntime<A, E, R>((parent) => {
      const context = runtime.context
      const clock = Context.get(parent.currentDefaultServices, Clock.Clock)
      const gate: HedgeGate = {
        state: 0,
        method: "",
        url: undefined,
        secrets: undefined,
        tag: undefined,
        keys: undefined
      }
      const copy = Effect.locally(self, currentHedgeGate, gate)
      const fibers: Array<Fiber.RuntimeFiber<A, E>> = []
      let running = 0
      let hedges = 0
      let settled = false
      let firstFailure: Exit.Exit<A, E> | undefined
      let cancelTimer: (() => void) | undefined
      return Effect.async<A, E>((resume) => {
        const settle = (exit: Exit.Exit<A, E>) => {
          if (settled) return
          settled = true
          cancelTimer?.()
          for (const fiber of fibers) {
            if (fiber.unsafePoll() === null) fiber.unsafeInterruptAsFork(parent.id())
          }
          resume(exit)
        }
        const launch = () => {
          running++
          const fiber = Runtime.runFork(runtime)(copy)
          fibers.push(fiber)
          fiber.addObserver((exit) => {
            running--
            if (Exit.isSuccess(exit)) return settle(exit)
            // keep the earliest real failure; an interruption only stands in for one until there is one
            if (firstFailure === undefined || (Exit.isInterrupted(firstFailure) && !Exit.isInterrupted(exit))) {
              firstFailure = exit
            }
            if (running === 0) settle(firstFailure)
          })
        }
        const onTimer = () => {
          cancelTimer = undefined
          if (settled || gate.state !== 1 || gate.url === undefined) return
          const client = clientOf(context as Context.Context<never>)
          if (client !== undefined && !payForCopy(client, gate, context as Context.Context<never>, clock, delay)) return
          hedges++
          Telemetry.recordRetry("hedge")
          launch()
          if (hedges < maxHedges && !settled) cancelTimer = scheduleAfterIo(clock, delayMillis, onTimer)
        }
        launch()
        if (!settled) cancelTimer = scheduleAfterIo(clock, delayMillis, onTimer)
        return Effect.suspend(() => {
          settled = true
          cancelTimer?.()
          return Fiber.interruptAll(fibers)
        })
      })
    }))
}
