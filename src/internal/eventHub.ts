/**
 * A client's events: its subscribers and its layer hooks.
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { ResilientEvent } from "../ResilientEvent.js"
import type { ClientOptions } from "./config.js"
import * as EventBacklog from "./eventBacklog.js"
import { runHook } from "./hooks.js"
import * as Telemetry from "./telemetry.js"

/** @internal */
export interface EventHub {
  /** Publishes an event to subscribers and hooks; a no-op when there are none. */
  readonly publish: (event: ResilientEvent) => void
  /** Whether anything listens to events (so callers can skip building them). */
  readonly hasListeners: () => boolean
  /** Subscribes to events; the subscription lasts as long as the scope. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, Scope.Scope>
}

/** The hub of a client made with `options` (its `onRequest`, `onRetry`, `onSuccess` and `onFailure` hooks). */
export const make = (options: ClientOptions): EventHub => {
  const subscribers = new Set<Queue.Queue<ResilientEvent>>()
  const hooks = {
    RequestStarted: options.onRequest,
    RetryScheduled: options.onRetry,
    Succeeded: options.onSuccess,
    Failed: options.onFailure
  } as Record<string, ((event: ResilientEvent) => unknown) | undefined>
  const anyHook = Object.values(hooks).some((h) => h !== undefined)
  const publish = (event: ResilientEvent): void => {
    for (const queue of subscribers) queue.unsafeOffer(event)
    if (anyHook) {
      const hook = hooks[event._tag]
      if (hook) runHook(hook, event)
    }
  }
  const hasListeners = () => anyHook || subscribers.size > 0
  const subscribe = Effect.acquireRelease(
    Effect.sync(() => {
      const queue = Effect.runSync(EventBacklog.make(Telemetry.recordEventsDropped))
      subscribers.add(queue)
      return queue
    }),
    (queue) =>
      Effect.sync(() => {
        subscribers.delete(queue)
      }).pipe(Effect.zipRight(Queue.shutdown(queue)))
  ) as Effect.Effect<Queue.Dequeue<ResilientEvent>, never, Scope.Scope>
  return { publish, hasListeners, subscribe }
}
