/**
 * Calling what a user gave the client or a request (the event hooks, `onProgress`) apart from the call.
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Events from "../ResilientEvent.js"

const warnHook = (name: string, cause: unknown) =>
  Effect.runFork(Effect.logWarning(`effect-http-resilient: hook ${name} failed`, cause))

/**
 * Calls a hook (`name` in what is logged, by default the event's `on<Tag>`): what it throws, or an Effect or Promise
 * of it that fails, is logged at Warning level and never breaks the call.
 * @internal
 */
export const runHook = <A>(
  hook: (value: A) => unknown,
  value: A,
  name = `on${(value as Events.ResilientEvent)._tag}`
): void => {
  try {
    const result = hook(value)
    if (Effect.isEffect(result)) {
      Effect.runFork(Effect.catchCause(result as Effect.Effect<unknown, unknown>, (cause) => {
        warnHook(name, Cause.pretty(cause))
        return Effect.void
      }))
    } else if (result instanceof Promise) result.catch((cause) => warnHook(name, cause))
  } catch (cause) {
    warnHook(name, cause)
  }
}
