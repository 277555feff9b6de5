/**
 * Helpers for tests of events and of anything a retry policy's backoff drives.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"

/** The events of one call answered 503, 503, 200 under a retry policy, in order. */
export const twoRetriesThenSuccess = [
  "RequestStarted",
  "AttemptFailed",
  "RetryScheduled",
  "RequestStarted",
  "AttemptFailed",
  "RetryScheduled",
  "RequestStarted",
  "Succeeded"
] as const

/**
 * Moves the TestClock a second at a time, letting loopback I/O happen in between (a few real milliseconds), until
 * `fiber` is done; then joins it. Bounded: at most `steps` seconds of virtual time.
 */
export const advanceUntilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, steps = 100): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    for (let i = 0; i < steps && fiber.unsafePoll() === null; i++) {
      yield* TestClock.adjust("1 second")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
    }
    return yield* Fiber.join(fiber)
  })
