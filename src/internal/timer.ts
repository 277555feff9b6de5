/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

let liveClock: Clock.Clock | undefined

/**
 * Effect's own clock, the one every fiber has unless a test or a user replaces it.
 * @internal
 */
export const defaultClock = (): Clock.Clock => liveClock ??= Effect.runSync(Effect.clock)

const MAX_TIMEOUT = 2_147_483_647

/**
 * Runs `f` after `millis` of the given clock's time and returns a function that cancels it.
 *
 * With Effect's own clock this is a plain timer (no fiber per request on the hot path);
 * with any other clock (a `TestClock`, a user's) it is a sleep on that clock, so virtual
 * time drives it.
 * @internal
 */
export const schedule = (clock: Clock.Clock, millis: number, f: () => void): () => void => {
  if (!Number.isFinite(millis)) return noop
  if (clock === defaultClock()) {
    const handle = setTimeout(f, Math.max(0, Math.min(millis, MAX_TIMEOUT)))
    return () => clearTimeout(handle)
  }
  const fiber = Effect.runFork(Effect.andThen(clock.sleep(Duration.millis(Math.max(0, millis))), Effect.sync(f)))
  return () => {
    Effect.runFork(Fiber.interrupt(fiber))
  }
}

const noop = () => {}
