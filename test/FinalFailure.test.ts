import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Queue, Schedule } from "effect"
import { Backoff, HttpResilient, ResilientClient, type ResilientEvent, RetryPolicy } from "../src/index.js"
import { serverScoped } from "./support/server.js"

/** A real server on loopback that always answers 503. */
const busy = serverScoped((_req, res) => {
  res.statusCode = 503
  res.end("busy")
})

const policy = RetryPolicy.make({ retries: 2, backoff: Backoff.constant("5 millis") })

const tags = (events: ReadonlyArray<ResilientEvent.ResilientEvent>) => events.map((e) => e._tag)

/**
 * Runs `call` (given the server's URL) against the busy server with a client whose `onFailure` hook records what it
 * sees; returns the events the call published, in order, and what the hook saw.
 */
const run = (
  call: (url: string) => Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>,
  options: ResilientClient.ClientOptions = {}
) =>
  Effect.gen(function*() {
    const server = yield* busy
    const hooked: Array<ResilientEvent.Failed> = []
    const events = yield* Effect.gen(function*() {
      const queue = yield* ResilientClient.subscribe
      const exit = yield* Effect.exit(call(`${server.url}/x`))
      assert.isTrue(Exit.isFailure(exit))
      return Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
    }).pipe(
      Effect.provide(ResilientClient.layer({ ...options, onFailure: (event) => void hooked.push(event) }))
    )
    return { events, hooked }
  })

const failedOnce = (
  { events, hooked }: {
    events: ReadonlyArray<ResilientEvent.ResilientEvent>
    hooked: ReadonlyArray<ResilientEvent.Failed>
  },
  attempts: number
) => {
  const expected = Array.from({ length: attempts }, (_, i) =>
    i === attempts - 1
      ? ["RequestStarted", "AttemptFailed", "Failed"]
      : ["RequestStarted", "AttemptFailed", "RetryScheduled"]).flat()
  const got = tags(events).filter((t) => t !== "RetryScheduled" || expected.includes("RetryScheduled"))
  assert.deepStrictEqual(got.filter((t) => t !== "RetryScheduled"), expected.filter((t) => t !== "RetryScheduled"))
  const failed = events.filter((e): e is ResilientEvent.Failed => e._tag === "Failed")
  assert.strictEqual(failed.length, 1)
  assert.strictEqual(failed[0].attempt, attempts)
  assert.strictEqual(failed[0].reason, "exhausted")
  assert.strictEqual(failed[0].error._tag, "StatusError")
  assert.strictEqual(hooked.length, 1)
  assert.strictEqual(hooked[0], failed[0])
}

describe("Failed and onFailure: once, on the call's final failure", () => {
  it.scopedLive("a plain call (no policy, no retry around it): AttemptFailed then Failed", () =>
    Effect.gen(function*() {
      const result = yield* run((url) => HttpResilient.get(url))
      assert.deepStrictEqual(tags(result.events), ["RequestStarted", "AttemptFailed", "Failed"])
      failedOnce(result, 1)
    }))

  it.scopedLive("a plain call with a deadline that passes: Failed with reason deadline", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped(() => {}) // never answers
      const hooked: Array<ResilientEvent.Failed> = []
      const exit = yield* Effect.exit(HttpResilient.get(`${server.url}/slow`, { deadline: "100 millis" })).pipe(
        Effect.provide(ResilientClient.layer({ onFailure: (event) => void hooked.push(event) }))
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(hooked.length, 1)
      assert.strictEqual(hooked[0].reason, "deadline")
      assert.strictEqual(hooked[0].error._tag, "TimeoutError")
    }))

  it.scopedLive("Effect.retry(RetryPolicy) around a plain call: one Failed, after the last attempt", () =>
    Effect.gen(function*() {
      failedOnce(yield* run((url) => Effect.retry(HttpResilient.get(url), policy)), 3)
    }))

  it.scopedLive("the retry request option: one Failed", () =>
    Effect.gen(function*() {
      failedOnce(yield* run((url) => HttpResilient.get(url, { retry: policy })), 3)
    }))

  it.scopedLive("the retry client option: one Failed", () =>
    Effect.gen(function*() {
      failedOnce(yield* run((url) => HttpResilient.get(url), { retry: policy }), 3)
    }))

  it.scopedLive("HttpResilient.retry(RetryPolicy) around a plain call: one Failed", () =>
    Effect.gen(function*() {
      failedOnce(yield* run((url) => HttpResilient.retry(HttpResilient.get(url), policy)), 3)
    }))

  it.scopedLive("HttpResilient.retry with a plain Schedule: one Failed when the schedule ends (reason exhausted)", () =>
    Effect.gen(function*() {
      failedOnce(yield* run((url) => HttpResilient.retry(HttpResilient.get(url), Schedule.recurs(2))), 3)
    }))

  it.scopedLive("the retry request option with a plain Schedule: one Failed when the schedule ends", () =>
    Effect.gen(function*() {
      failedOnce(yield* run((url) => HttpResilient.get(url, { retry: Schedule.recurs(2) })), 3)
    }))

  it.scopedLive("HttpResilient.retry(RetryPolicy) around Effect.retry(plain Schedule): one Failed, from the policy", () =>
    Effect.gen(function*() {
      const result = yield* run((url) =>
        HttpResilient.retry(Effect.retry(HttpResilient.get(url), Schedule.recurs(1)), policy)
      )
      assert.strictEqual(result.hooked.length, 1)
      assert.strictEqual(tags(result.events).filter((t) => t === "Failed").length, 1)
      assert.strictEqual(tags(result.events).filter((t) => t === "AttemptFailed").length, 6)
    }))

  it.scopedLive("Effect.retry with a plain Schedule: nothing knows which failure is the last, so no Failed", () =>
    Effect.gen(function*() {
      const { events, hooked } = yield* run((url) => Effect.retry(HttpResilient.get(url), Schedule.recurs(2)))
      assert.deepStrictEqual(tags(events), [
        "RequestStarted",
        "AttemptFailed",
        "RequestStarted",
        "AttemptFailed",
        "RequestStarted",
        "AttemptFailed"
      ])
      assert.strictEqual(hooked.length, 0)
    }))

  it.scopedLive("a call that succeeds publishes no Failed", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const hooked: Array<ResilientEvent.Failed> = []
      const response = yield* HttpResilient.get(`${server.url}/ok`).pipe(
        HttpResilient.retry(Schedule.recurs(2)),
        Effect.provide(ResilientClient.layer({ onFailure: (event) => void hooked.push(event) }))
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(hooked.length, 0)
    }))
})
