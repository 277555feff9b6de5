/**
 * Hedged requests in the v4 edition: the core's rules (src/core/hedge.ts: which requests may be hedged, the race's
 * bookkeeping, the timer that decides after the I/O already waiting is read) over v4 fibers, one per copy.
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import { millisDuration } from "../../../src/core/durationRules.js"
import * as Core from "../../../src/core/hedge.js"
import { isHttpResilientError, TimeoutError } from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import { reportGaveUp } from "./attempt.js"
import { badOption, millisOf, numberOf } from "./options.js"
import { type ClientInternals, ResilientClient } from "./service.js"

/**
 * Options of `HttpResilient.hedge` and of the client option `hedge`.
 * @since 0.1.0
 * @category models
 */
export interface HedgeOptions {
  /** how long a copy may go unanswered before the next is sent (on the `Clock`) */
  readonly delay: Duration.Input
  /** how many extra copies at most (1–16) @default 1 */
  readonly maxHedges?: number | undefined
}

/** @internal */
export interface HedgeSettings {
  readonly delayMillis: number
  readonly maxHedges: number
}

/**
 * The hedge the attempts of the running effect are inside, if any: each tells it what it sends.
 * @internal
 */
export const CurrentHedgeGate = Context.Reference<Core.HedgeGate | undefined>(
  "effect-http-resilient/v4/CurrentHedgeGate",
  { defaultValue: () => undefined }
)

/**
 * The settings of hedge `options` (checked: a bad one throws a `RangeError` naming it as `fn`'s `prefix…`).
 * @internal
 */
export const settingsOf = (fn: string, prefix: string, options: HedgeOptions): HedgeSettings => {
  if (typeof options !== "object" || options === null) {
    throw badOption(fn, prefix.slice(0, -1) || "options", options, "{ delay, maxHedges? }")
  }
  if (options.delay === undefined) {
    throw badOption(fn, `${prefix}delay`, undefined, "a duration of at least 1 millisecond (e.g. \"50 millis\")")
  }
  const delayMillis = millisOf(fn, `${prefix}delay`, options.delay, millisDuration)
  const maxHedges = numberOf(fn, `${prefix}maxHedges`, options.maxHedges ?? Core.hedgeLimits.defaultMaxHedges, {
    integer: true,
    min: 1,
    max: Core.hedgeLimits.maxHedges,
    expected: `an integer from 1 to ${Core.hedgeLimits.maxHedges}`
  })
  return { delayMillis, maxHedges }
}

let liveClock: Clock.Clock | undefined

/** Runs `f` after `millis` of `clock`'s time: on Effect's own clock after the I/O already waiting is read. */
const scheduleOn = (clock: Clock.Clock, millis: number, f: () => void): () => void => {
  if (clock === (liveClock ??= Effect.runSync(Effect.clockWith(Effect.succeed)))) return Core.afterIo(millis, f)
  const fiber = Effect.runFork(Effect.andThen(clock.sleep(Duration.millis(millis)), Effect.sync(f)))
  return () => fiber.interruptUnsafe()
}

/**
 * Pays for one more copy from the retry budget of the request's origin, telling listeners (`RetryScheduled` with
 * reason "hedge", or `RetryBudgetExhausted`); false when the budget is empty.
 */
const payForCopy = (
  client: ClientInternals,
  gate: Core.HedgeGate,
  context: Context.Context<never>,
  now: number,
  delayMillis: number
): boolean => {
  const info = Core.hedgeEventInfo(gate, Context.get(context, Schedule.CurrentMetadata).attempt + 1, now)
  if (client.retryBudget !== undefined && !client.retryBudget.get(gate.url!.origin).tryRetry(now)) {
    client.recordBudgetRejection()
    client.publish(new Events.RetryBudgetExhausted(info))
    return false
  }
  const delay = Duration.millis(delayMillis)
  client.recordRetry("hedge")
  client.publish(
    new Events.RetryScheduled({
      ...info,
      delay,
      reason: "hedge",
      error: new TimeoutError({ ...info, scope: "attempt", timeout: delay })
    })
  )
  return true
}

/** One hedged race of the v4 edition: the core's `HedgeRace`, its copies v4 fibers run in the parent's context. */
class Race<A, E, R> extends Core.HedgeRace<Exit.Exit<A, E>> {
  readonly fibers: Array<Fiber.Fiber<A, E>> = []
  private readonly copy: Effect.Effect<A, E, R>

  constructor(
    self: Effect.Effect<A, E, R>,
    private readonly settings: HedgeSettings,
    private readonly context: Context.Context<R>,
    private readonly clock: Clock.Clock,
    private readonly client: ClientInternals | undefined,
    private readonly parentId: number,
    private readonly resume: (effect: Effect.Effect<A, E>) => void
  ) {
    super(settings.maxHedges, Core.newGate())
    this.copy = Effect.provideService(self, CurrentHedgeGate, this.gate)
  }

  protected launchCopy(): void {
    const fiber = Effect.runForkWith(this.context)(this.copy)
    this.fibers.push(fiber)
    fiber.addObserver((exit) => this.ended(exit))
  }

  protected interruptCopies(): void {
    for (const fiber of this.fibers) {
      if (fiber.pollUnsafe() === undefined) fiber.interruptUnsafe(this.parentId)
    }
  }

  protected schedule(f: () => void): () => void {
    return scheduleOn(this.clock, this.settings.delayMillis, f)
  }

  protected payForCopy(): boolean {
    const client = this.client
    return client === undefined || payForCopy(
      client,
      this.gate,
      this.context as Context.Context<never>,
      this.clock.currentTimeMillisUnsafe(),
      this.settings.delayMillis
    )
  }

  protected finish(exit: Exit.Exit<A, E>): void {
    this.resume(exit)
  }

  protected isSuccess(exit: Exit.Exit<A, E>): boolean {
    return Exit.isSuccess(exit)
  }

  protected isInterruption(exit: Exit.Exit<A, E>): boolean {
    return Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
  }
}

/**
 * Runs `self`; while no copy has answered, sends another copy every `delay`, up to `maxHedges` more, each paid for
 * from the retry budget of the request's origin. The first success wins and the other copies are interrupted
 * (their sockets aborted). A copy that fails does not end the call while another is still running; when all have
 * failed, the call fails with the earliest failure. Requests that may not be repeated are sent once.
 * @internal
 */
export const hedge = <A, E, R>(self: Effect.Effect<A, E, R>, settings: HedgeSettings): Effect.Effect<A, E, R> =>
  Effect.withFiber((parent) => {
    const context = parent.context as Context.Context<R>
    const clock = Context.get(context as Context.Context<never>, Clock.Clock)
    const service = Context.getOption(context as Context.Context<never>, ResilientClient)
    const client = service._tag === "Some" ? service.value.internals : undefined
    const raced = Effect.callback<A, E>((resume) => {
      const race = new Race(self, settings, context, clock, client, parent.id, resume)
      race.begin()
      return Effect.suspend(() => {
        race.stop()
        return Fiber.interruptAll(race.fibers)
      })
    })
    // no retry around the hedge: when every copy failed, the call gave up
    return client === undefined || (context as Context.Context<never>).mapUnsafe.has(Schedule.CurrentMetadata.key)
      ? raced
      : Effect.tapError(raced, (error) =>
        Effect.sync(() => {
          if (isHttpResilientError(error)) reportGaveUp(client.publish, error, clock.currentTimeMillisUnsafe())
        }))
  })
