import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Logger, TestClock } from "effect"
import {
  Backoff,
  HttpResilient,
  type HttpResilientError,
  HttpResilientTest,
  type ResilientClient,
  type ResilientEvent,
  RetryPolicy
} from "../src/index.js"
import { failureTag } from "./support/events.js"

/** How a hook misbehaves: it throws, returns a failing Effect, or returns a rejected Promise (an `async` hook). */
const misbehaving = {
  throws: () => {
    throw new Error("hook bug")
  },
  "fails (Effect)": () => Effect.fail(new Error("hook bug")),
  "rejects (Promise)": async () => {
    throw new Error("hook bug")
  }
} as const

/** Runs `effect` and returns what reached `unhandledRejection` meanwhile (and a few real milliseconds after). */
const unhandledDuring = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const seen: Array<unknown> = []
      const listener = (reason: unknown) => void seen.push(reason)
      process.on("unhandledRejection", listener)
      return { seen, listener }
    }),
    ({ seen }) =>
      Effect.map(
        Effect.zipLeft(effect, Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))),
        (a) => [a, seen] as const
      ),
    ({ listener }) => Effect.sync(() => void process.off("unhandledRejection", listener))
  )

/** A call under a policy: onRequest, onRetry and onSuccess see a 503 then a 200, onFailure a 404 (not retryable). */
const call: Effect.Effect<number, HttpResilientError.HttpResilientError, ResilientClient.ResilientClient> = Effect.gen(
  function*() {
    const fiber = yield* Effect.fork(
      HttpResilient.get("http://hooks.test/x").pipe(
        Effect.retry(RetryPolicy.make({ backoff: Backoff.constant("1 second") }))
      )
    )
    yield* TestClock.adjust("1 second")
    return (yield* Fiber.join(fiber)).status
  }
)

describe("hooks", () => {
  for (const hook of ["onRequest", "onRetry", "onSuccess", "onFailure"] as const) {
    for (const [how, body] of Object.entries(misbehaving)) {
      it.effect(`a hook that ${how} (${hook}) is logged at WARN by name and never breaks the call`, () =>
        Effect.gen(function*() {
          const logs: Array<string> = []
          const called: Array<string> = []
          const logger = Logger.make(({ logLevel, message }) => {
            logs.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
          })
          const script = hook === "onFailure"
            ? [HttpResilientTest.reply(404)]
            : [HttpResilientTest.reply(503), HttpResilientTest.reply(200)]
          const layer = HttpResilientTest.layer(script, {
            [hook]: (event: ResilientEvent.ResilientEvent) => {
              called.push(event._tag)
              return body()
            }
          })
          const [exit, unhandled] = yield* unhandledDuring(
            Effect.exit(call).pipe(
              Effect.provide(layer),
              Effect.provide(Logger.replace(Logger.defaultLogger, logger))
            )
          )
          if (hook === "onFailure") assert.strictEqual(failureTag(exit), "StatusError")
          else assert.deepStrictEqual(exit, Exit.succeed(200))
          assert.isAbove(called.length, 0)
          assert.deepStrictEqual(unhandled, [])
          const warnings = logs.filter((line) => line.startsWith(`WARN effect-http-resilient: the ${hook} hook`))
          assert.strictEqual(warnings.length, called.length, logs.join("\n"))
          assert.isTrue(warnings.every((line) => line.includes("hook bug")), warnings.join("\n"))
        }))
    }
  }
})
