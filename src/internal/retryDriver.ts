/**
 * The one retry driver: how a policy's decisions turn into runs. Buffered calls (`retry`, the `retry` option) and
 * streams (establishing a stream, and a stream's reconnections) all step a policy through `decide`.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { takeRetryRefusal } from "./callFacts.js"
import { clientIn, type EventSink, insideDriver, insideRetry, reportFinal } from "./finalFailure.js"

/**
 * Acts on a policy's decision about `error` (`step`: its driver's next step, which sleeps the delay): fails with
 * `error` when the policy stops, with the policy's refusal when it refused the retry (budget, Retry-After too long,
 * deadline: see `takeRetryRefusal`; without the extra run a plain `Effect.retry` needs for it), else goes on with
 * `again`. `end`, if given, makes the failure when the policy stops.
 * @internal
 */
export const decide = <A, E, R, R2>(
  step: Effect.Effect<unknown, unknown, R>,
  error: E,
  again: Effect.Effect<A, E, R2>,
  end?: ((error: E) => Effect.Effect<never, E>) | undefined
): Effect.Effect<A, E, R | R2> =>
  Effect.matchEffect(step, {
    onFailure: () => end === undefined ? Effect.fail(error) : end(error),
    onSuccess: () => {
      const refusal = takeRetryRefusal(error)
      return refusal === undefined ? again : Effect.fail(refusal as E)
    }
  })

/**
 * `self`, run again after each failure for as long as `step` (a policy driver's next step on the error) says go on.
 * `next` continues the loop from a failure that happened outside it; `end` (see `decide`) makes the last failure.
 * @internal
 */
export const retryLoop = <A, E, R, R2>(
  self: Effect.Effect<A, E, R>,
  step: (error: E) => Effect.Effect<unknown, unknown, R2>,
  end?: ((error: E) => Effect.Effect<never, E>) | undefined
): { readonly loop: Effect.Effect<A, E, R | R2>; readonly next: (error: E) => Effect.Effect<A, E, R | R2> } => {
  const next = (error: E): Effect.Effect<A, E, R | R2> => decide(step(error), error, loop, end)
  const loop: Effect.Effect<A, E, R | R2> = Effect.catchAll(self, next)
  return { loop, next }
}

/**
 * `Effect.retry(self(), policy)` with nothing set up until the first run fails: a call that succeeds at once pays
 * for one failure handler instead of `Effect.retry`'s schedule driver and the fiber-ref change that hands each
 * run `Schedule.CurrentIterationMetadata` (60–90 k instructions per call against a real server, whatever the
 * schedule: see bench/NOTES.md). From the first failure on it is `Effect.retry`: the same driver steps the policy,
 * sleeps on the `Clock`, and hands each later run its iteration metadata. `firstRun` makes the first run, which sees
 * the fiber's own metadata; `recurrence` is that metadata's: past 0 (a later run of another retry) this is plain
 * `Effect.retry(self(), policy)`, so that the first run still sees recurrence 0. `self` makes the later runs.
 *
 * When the policy stops and no retry encloses this one, the last error is the call's final failure: reported to
 * `sink` (else the client in the context) unless a `RetryPolicy` did (`reportFinal`), so that a plain `Schedule`
 * gets its `Failed` too.
 * @internal
 */
export const retryOnFailure = <A, E, R>(
  recurrence: number,
  firstRun: () => Effect.Effect<A, E, R>,
  self: () => Effect.Effect<A, E, R>,
  policy: Schedule.Schedule<unknown, E, R>,
  sink?: EventSink | undefined
): Effect.Effect<A, E, R> => {
  if (recurrence > 0) return Effect.retry(self(), policy)
  return Effect.catchAll(firstRun(), (first) =>
    Effect.withFiberRuntime<A, E, R>((fiber) => {
      const end = insideRetry(fiber) ? undefined : (error: E) => {
        const now = Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()
        reportFinal(error, sink ?? clientIn(fiber.currentContext), now)
        return Effect.fail(error)
      }
      return Effect.flatMap(Schedule.driver(policy), (driver) => {
        const again = Effect.provideServiceEffect(
          self(),
          Schedule.CurrentIterationMetadata,
          Ref.get(driver.iterationMeta)
        )
        return retryLoop(again, (error: E) => driver.next(error), end).next(first)
      })
    }))
}

/**
 * `Effect.retry(self, policy)`, with nothing set up until `self` first fails (see `retryOnFailure`).
 * @internal
 */
export const retry = dual<
  <B, E, R1>(
    policy: Schedule.Schedule<B, NoInfer<E>, R1>
  ) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | R1>,
  <A, E, R, B, R1>(
    self: Effect.Effect<A, E, R>,
    policy: Schedule.Schedule<B, NoInfer<E>, R1>
  ) => Effect.Effect<A, E, R | R1>
>(
  2,
  <A, E, R, B, R1>(self: Effect.Effect<A, E, R>, policy: Schedule.Schedule<B, E, R1>) =>
    Effect.withFiberRuntime<A, E, R | R1>((fiber) => {
      const recurrence = Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata).recurrence
      if (recurrence > 0) return Effect.retry(self, policy)
      // the first run has no iteration metadata: a call in it learns from this mark that it is not the last
      // (a few steps, not `Effect.locally`'s acquire/release)
      const outer = fiber.getFiberRef(insideDriver)
      const restore = FiberRef.set(insideDriver, outer)
      const first = Effect.zipRight(
        FiberRef.set(insideDriver, true),
        Effect.matchCauseEffect(self, {
          onFailure: (cause) => Effect.zipRight(restore, Effect.failCause(cause)),
          onSuccess: (value) => Effect.as(restore, value)
        })
      )
      return retryOnFailure<A, E, R | R1>(0, () => first, () => self, policy)
    })
)
