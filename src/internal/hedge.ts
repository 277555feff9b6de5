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
  const info = Core.hedgeEventInfo(gate, Context.get(context, Schedule.CurrentIterationMetadata).recurrence + 1, now)
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
): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.runtime<R>(),
    (runtime) =>
      Effect.withFiberRuntime<A, E, R>((parent) =>
        Effect.async<A, E>((resume) => {
          const race = new Race(self, settings, clientOf, runtime, parent, resume)
          race.begin()
          return Effect.suspend(() => {
            race.stop()
            return Fiber.interruptAll(race.fibers)
          })
        })
      )
  )

/** One hedged race of the root entry: the core's `HedgeRace`, its copies fibers of `runtime`. */
class Race<A, E, R> extends Core.HedgeRace<Exit.Exit<A, E>> {
  readonly fibers: Array<Fiber.RuntimeFiber<A, E>> = []
  private readonly copy: Effect.Effect<A, E, R>
  private readonly clock: Clock.Clock
  private readonly delayMillis: number

  constructor(
    self: Effect.Effect<A, E, R>,
    private readonly settings: HedgeSettings,
    private readonly clientOf: (context: Context.Context<never>) => HedgeClient | undefined,
    private readonly runtime: Runtime.Runtime<R>,
    private readonly parent: Fiber.RuntimeFiber<A, E>,
    private readonly resume: (effect: Effect.Effect<A, E>) => void
  ) {
    super(settings.maxHedges, Core.newGate())
    this.copy = Effect.locally(self, currentHedgeGate, this.gate)
    this.clock = Context.get(parent.currentDefaultServices, Clock.Clock)
    this.delayMillis = Duration.toMillis(settings.delay)
  }

  protected launchCopy(): void {
    const fiber = Runtime.runFork(this.runtime)(this.copy)
    this.fibers.push(fiber)
    fiber.addObserver((exit) => this.ended(exit))
  }

  protected interruptCopies(): void {
    for (const fiber of this.fibers) {
      if (fiber.unsafePoll() === null) fiber.unsafeInterruptAsFork(this.parent.id())
    }
  }

  protected schedule(f: () => void): () => void {
    return scheduleAfterIo(this.clock, this.delayMillis, f)
  }

  protected payForCopy(): boolean {
    const context = this.runtime.context as Context.Context<never>
    const client = this.clientOf(context)
    if (client !== undefined && !payForCopy(client, this.gate, context, this.clock, this.settings.delay)) return false
    Telemetry.recordRetry("hedge")
    return true
  }

  protected finish(exit: Exit.Exit<A, E>): void {
    this.resume(exit)
  }

  protected isSuccess(exit: Exit.Exit<A, E>): boolean {
    return Exit.isSuccess(exit)
  }

  protected isInterruption(exit: Exit.Exit<A, E>): boolean {
    return Exit.isInterrupted(exit)
  }
}
