/**
 * The one rule for `Failed` (and `onFailure`): it is published once, for a call's final failure — by the
 * `RetryPolicy` that gives up (retryPolicy.ts), else by whatever knows the failure is the last one:
 *
 * - a call with no retry around it (no policy, no `retry` option, not inside `Effect.retry` or `HttpResilient.retry`):
 *   its failure is the last (`reportFinal` from call.ts);
 * - the client's retry driver (`HttpResilient.retry`, the `retry` option) when its schedule — a plain `Schedule`
 *   too — ends (`reportFinal` from retryDriver.ts).
 *
 * Inside a plain `Effect.retry` (or any run Effect gives `Schedule.CurrentIterationMetadata`) with a plain `Schedule`
 * nothing knows which failure is the last: no `Failed`. An error reported is marked (`error.call.gaveUp`), so an
 * enclosing policy or driver does not report it again.
 * @internal
 */
import * as Context from "effect/Context"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { isHttpResilientError } from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import { bareFacts, callOf, setCall } from "./callFacts.js"
import { findInternals, ResilientClient } from "./service.js"

/** What publishes a client's events. */
export interface EventSink {
  readonly publish: (event: Events.ResilientEvent) => void
  readonly hasListeners: () => boolean
}

/**
 * Set (directly on the fiber, for the first run only) by the client's retry driver, whose first run has no
 * iteration metadata: a call in it is not the last.
 * @internal
 */
export const insideDriver: FiberRef.FiberRef<boolean> = FiberRef.unsafeMake(false)

const metadataKey = Schedule.CurrentIterationMetadata.key

/**
 * Whether the fiber runs inside a retry: the client's driver's first run, or a run Effect's schedule driver
 * gave iteration metadata (`Effect.retry`, a later run of `HttpResilient.retry`, `Effect.repeat`'s later runs).
 * @internal
 */
export const insideRetry = (fiber: {
  readonly currentContext: Context.Context<never>
  readonly getFiberRef: <A>(ref: FiberRef.FiberRef<A>) => A
}): boolean => fiber.getFiberRef(insideDriver) || fiber.currentContext.unsafeMap.has(metadataKey)

/** The client in a fiber's context, for a driver not made by a client (`HttpResilient.retry`). */
export const clientIn = (context: Context.Context<never>): EventSink | undefined => {
  const service = Option.getOrUndefined(
    Context.getOption(context as Context.Context<ResilientClient>, ResilientClient)
  )
  return service === undefined ? undefined : findInternals(service)
}

/**
 * Reports `error` as a call's final failure unless it was reported: `Failed` (reason `deadline` for a passed
 * deadline, else `exhausted`: the retries allowed, none without a policy, are used up) and `error.call.gaveUp`.
 * @internal
 */
export const reportFinal = (error: unknown, sink: EventSink | undefined, now: number): void => {
  if (!isHttpResilientError(error)) return
  const facts = callOf(error) ?? setCall(error, bareFacts(error))
  if (facts.gaveUp !== undefined) return
  const reason = error._tag === "TimeoutError" && error.scope === "deadline" ? "deadline" : "exhausted"
  facts.gaveUp = reason
  if (sink === undefined || !sink.hasListeners()) return
  sink.publish(
    new Events.Failed({
      method: error.method,
      url: error.url,
      attempt: error.attempt,
      timestamp: now,
      tag: facts.tag,
      reason,
      error
    })
  )
}
