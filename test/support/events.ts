/**
 * Helpers for tests of events and of anything a retry policy's backoff drives.
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestClock from "effect/TestClock"

export { twoRetriesThenSuccess } from "../shared/events.js"

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
