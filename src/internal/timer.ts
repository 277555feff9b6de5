/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { afterIo } from "../core/hedge.js"

let liveClock: Clock.Clock | undefined

/**
 * Effect's own clock, the one every fiber has unless a test or a user replaces it.
 * @internal
 */
export const defaultClock = (): Clock.Clock => liveClock ??= Effect.runSync(Effect.clock)

const MAX_TIMEOUT = 2_147_483_647

/**
 * A pending timer: a Node timer for Effect's own clock, a fiber sleeping on any other clock.
 * @internal
 */
export type TimerHandle = ReturnType<typeof setTimeout> | ClockTimer | undefined

class ClockTimer {
  constructor(readonly fiber: Fiber.RuntimeFiber<void>) {}
}

/**
 * Calls `onTimeout(target)` after `millis` of the given clock's time; `stopTimer` cancels it.
 * `Infinity` starts nothing.
 *
 * With Effect's own clock this is a plain timer, and passing `target` rather than a closure keeps the
 * hot path free of per-request allocations beyond the timer itself; with any other clock (a `TestClock`,
 * a user's) it is a sleep on that clock, so virtual time drives it.
 * @internal
 */
export const startTimer = <T>(
  clock: Clock.Clock,
  millis: number,
  onTimeout: (target: T) => void,
  target: T
): TimerHandle => {
  if (!Number.isFinite(millis)) return undefined
  if (clock === (liveClock ?? defaultClock())) {
    return setTimeout(onTimeout, Math.max(0, Math.min(millis, MAX_TIMEOUT)), target)
  }
  return new ClockTimer(
    Effect.runFork(
      Effect.andThen(clock.sleep(Duration.millis(Math.max(0, millis))), Effect.sync(() => onTimeout(target)))
    )
  )
}

/**
 * Cancels a timer from `startTimer`; a timer that already fired or was stopped is left alone.
 * @internal
 */
export const stopTimer = (handle: TimerHandle): void => {
  if (handle === undefined) return
  if (handle instanceof ClockTimer) Effect.runFork(Fiber.interrupt(handle.fiber))
  else clearTimeout(handle)
}

const callThunk = (f: () => void) => f()

/**
 * Runs `f` after `millis` of the given clock's time and returns a function that cancels it.
 * @internal
 */
export const schedule = (clock: Clock.Clock, millis: number, f: () => void): () => void => {
  const handle = startTimer(clock, millis, callThunk, f)
  return handle === undefined ? noop : () => stopTimer(handle)
}

const noop = () => {}

/**
 * `schedule`, but on Effect's own clock `f` runs only after the event loop has turned twice more past the timer
 * (the core's `afterIo`: the hedge timer decides after the I/O already waiting is read). On any other clock (a
 * `TestClock`) it is `schedule`.
 * @internal
 */
export const scheduleAfterIo = (clock: Clock.Clock, millis: number, f: () => void): () => void => {
  if (!Number.isFinite(millis) || clock !== (liveClock ?? defaultClock())) return schedule(clock, millis, f)
  return afterIo(millis, f)
}
