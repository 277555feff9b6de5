/**
 * Helpers for tests of events and of anything a retry policy's backoff drives.
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
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

/** Waits (real time, at most 10 s) until a sleep ending at `due` (virtual epoch ms) is registered with the TestClock. */
export const waitForSleep = (due: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const started = Date.now()
    for (let i = 0; Date.now() - started < 10_000; i++) {
      if (Chunk.some(yield* TestClock.sleeps(), (t) => t === due)) return
      yield* i < 100 ? Effect.yieldNow() : Effect.promise(() => new Promise((r) => setTimeout(r, 1)))
    }
    return yield* Effect.dieMessage(`no sleep until ${due} was registered`)
  })

/** Polls (real time, bounded) until the TestClock's pending sleeps (wake-up times) satisfy `predicate`. */
export const awaitSleeps = (predicate: (wakeUps: ReadonlyArray<number>) => boolean): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < 500; i++) {
      if (predicate(Chunk.toReadonlyArray(yield* TestClock.sleeps()))) return
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
    }
    return yield* Effect.dieMessage("awaitSleeps: the expected sleeps never appeared")
  })

/** How a call ended, as a tag: "ok", its failure's `_tag`, or "none" (interrupted, or a defect). */
export const failureTag = (exit: Exit.Exit<unknown, { readonly _tag: string }>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" ? failure.value._tag : "none"
}
