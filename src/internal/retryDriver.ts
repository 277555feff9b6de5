/**
 * The one retry driver: how a policy's decisions turn into runs. Buffered calls (`retry`, the `retry` option) and
 * streams (establishing a stream, and a stream's reconnections) all step a policy through `decide`.
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import { takeRetryRefusal } from "./callFacts.js"

/**
 * Acts on a policy's decision about `error` (`step`: its driver's next step, which sleeps the delay): fails with
 * `error` when the policy stops, with the policy's refusal when it refused the retry (budget, Retry-After too long,
 * deadline: see `takeRetryRefusal`; without the extra run a plain `Effect.retry` needs for it), else goes on with
 * `again`.
 * @internal
 */
export const decide = <A, E, R, R2>(
  step: Effect.Effect<unknown, unknown, R>,
  error: E,
  again: Effect.Effect<A, E, R2>
): Effect.Effect<A, E, R | R2> =>
  Effect.matchEffect(step, {
    onFailure: () => Effect.fail(error),
    onSuccess: () => {
      const refusal = takeRetryRefusal(error)
      return refusal === undefined ? again : Effect.fail(refusal as E)
    }
  })

/**
 * `self`, run again after each failure for as long as `step` (a policy driver's next step on the error) says go on.
 * `next` continues the loop from a failure that happened outside it.
 * @internal
 */
export const retryLoop = <A, E, R, R2>(
  self: Effect.Effect<A, E, R>,
  step: (error: E) => Effect.Effect<unknown, unknown, R2>
): { readonly loop: Effect.Effect<A, E, R | R2>; readonly next: (error: E) => Effect.Effect<A, E, R | R2> } => {
  const next = (error: E): Effect.Effect<A, E, R | R2> => decide(step(error), error, loop)
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
 * @internal
 */
export const retryOnFailure = <A, E, R>(
  recurrence: number,
  firstRun: () => Effect.Effect<A, E, R>,
  self: () => Effect.Effect<A, E, R>,
  policy: Schedule.Schedule<unknown, E, R>
): Effect.Effect<A, E, R> => {
  if (recurrence > 0) return Effect.retry(self(), policy)
  return Effect.catchAll(firstRun(), (first) =>
    Effect.flatMap(Schedule.driver(policy), (driver) => {
      const again = Effect.provideServiceEffect(
        self(),
        Schedule.CurrentIterationMetadata,
        Ref.get(driver.iterationMeta)
      )
      return retryLoop(again, (error: E) => driver.next(error)).next(first)
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
      const run = () => self
      return retryOnFailure<A, E, R | R1>(
        Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata).recurrence,
        run,
        run,
        policy
      )
    })
)
