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
import * as Core from "../core/hedge.js"
import { redactUrl } from "../core/secrets.js"
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

/** @internal */
export type HedgeGate = Core.HedgeGate

/** @internal */
export const sharedKey = Core.sharedKey

/** @internal */
export const currentHedgeGate: FiberRef.FiberRef<HedgeGate | undefined> = FiberRef.unsafeMake<HedgeGate | undefined>(
  undefined
)

/**
 * Whether a request may be sent more than once at the same time: an idempotent method, or POST/PATCH with an
 * Idempotency-Key, and a body that can be sent again.
 * @internal
 */
export const mayRepeat = (prepared: PreparedRequest): boolean =>
  Core.mayHedge(
    prepared.method,
    prepared.headers["idempotency-key"] !== undefined ||
      (prepared.options?.idempotencyKey !== undefined && prepared.options.idempotencyKey !== false),
    prepared.replayable
  )

/**
 * Called by every attempt: tells an enclosing hedge what it is sending (a no-op outside `hedge`).
 * @internal
 */
export const observe = (gate: HedgeGate | undefined, prepared: PreparedRequest): void => {
  if (gate === undefined) return
  Core.observeRequest(gate, mayRepeat(prepared), prepared.method, prepared.url, prepared.secrets, prepared.tag)
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
  return { delay: Duration.decode(options.delay), maxHedges: options.maxHedges ?? Core.hedgeLimits.defaultMaxHedges }
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
      const gate = Core.newGate()
      const copy = Effect.locally(self, currentHedgeGate, gate)
      const fibers: Array<Fiber.RuntimeFiber<A, E>> = []
      const race = new Core.HedgeRace<Exit.Exit<A, E>>(maxHedges, Exit.isInterrupted)
      let cancelTimer: (() => void) | undefined
      return Effect.async<A, E>((resume) => {
        const settle = (exit: Exit.Exit<A, E>) => {
          if (!race.settle()) return
          cancelTimer?.()
          for (const fiber of fibers) {
            if (fiber.unsafePoll() === null) fiber.unsafeInterruptAsFork(parent.id())
          }
          resume(exit)
        }
        const launch = () => {
          race.running++
          const fiber = Runtime.runFork(runtime)(copy)
          fibers.push(fiber)
          fiber.addObserver((exit) => {
            if (Exit.isSuccess(exit)) {
              race.succeeded()
              return settle(exit)
            }
            const failure = race.failed(exit)
            if (failure !== undefined) settle(failure)
          })
        }
        const onTimer = () => {
          cancelTimer = undefined
          if (!race.mayHedge(gate)) return
          const client = clientOf(context as Context.Context<never>)
          if (client !== undefined && !payForCopy(client, gate, context as Context.Context<never>, clock, delay)) return
          const again = race.hedged()
          Telemetry.recordRetry("hedge")
          launch()
          if (again && !race.settled) cancelTimer = scheduleAfterIo(clock, delayMillis, onTimer)
        }
        launch()
        if (!race.settled) cancelTimer = scheduleAfterIo(clock, delayMillis, onTimer)
        return Effect.suspend(() => {
          race.settled = true
          cancelTimer?.()
          return Fiber.interruptAll(fibers)
        })
      })
    }))
}
