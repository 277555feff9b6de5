/**
 * Running the layer's hooks (`onRequest`, `onRetry`, `onSuccess`, `onFailure`) apart from the call.
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"

const hookNames: Record<string, string> = {
  RequestStarted: "onRequest",
  RetryScheduled: "onRetry",
  Succeeded: "onSuccess",
  Failed: "onFailure"
}

/** A runtime with `fiber`'s services and fiber refs (its logger, log level and clock), as they are now. */
const runtimeOf = (fiber: Fiber.RuntimeFiber<any, any> | undefined): Runtime.Runtime<never> =>
  fiber === undefined ? Runtime.defaultRuntime : Runtime.make({
    context: fiber.currentContext,
    fiberRefs: fiber.getFiberRefs(),
    runtimeFlags: Runtime.defaultRuntimeFlags
  })

/** Runs an effect apart from the caller, in `runtime` (by default the calling fiber's). */
const runDetached = (effect: Effect.Effect<unknown>, runtime = runtimeOf(currentFiber())): void => {
  Runtime.runFork(runtime)(effect)
}

const currentFiber = (): Fiber.RuntimeFiber<any, any> | undefined => Option.getOrUndefined(Fiber.getCurrentFiber())

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { then?: unknown }).then === "function"

/**
 * Calls a layer hook with an event. A hook may return void, an Effect (which runs apart from the call) or a Promise;
 * a hook that throws, fails or rejects is logged at Warning level, naming the hook, and never breaks the call nor
 * reaches `unhandledRejection`.
 * @internal
 */
export const runHook = (
  hook: (event: any) => unknown,
  event: unknown,
  name: string = hookNames[(event as { readonly _tag: string })._tag] ?? "hook"
): void => {
  try {
    const result = hook(event)
    if (Effect.isEffect(result)) {
      runDetached(
        Effect.catchAllCause(
          result as Effect.Effect<unknown, unknown>,
          (cause) => Effect.logWarning(`effect-http-resilient: the ${name} hook failed: ${Cause.pretty(cause)}`)
        )
      )
    } else if (isThenable(result)) {
      // the caller's fiber may be gone when the promise settles: its logger and refs are taken now
      const runtime = runtimeOf(currentFiber())
      result.then(undefined, (error) =>
        runDetached(
          Effect.logWarning(`effect-http-resilient: the ${name} hook rejected: ${describeThrown(error)}`),
          runtime
        ))
    }
  } catch (error) {
    runDetached(
      Effect.logWarning(`effect-http-resilient: the ${name} hook threw: ${describeThrown(error)}`)
    )
  }
}

const describeThrown = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error)
