/**
 * Testing code that uses the client, in virtual time: a scripted transport plays the server, `TestClock`
 * plays the clock, so a test of a 30 s backoff runs in milliseconds. In a test file you would write the same
 * body inside `it.effect(...)` from `@effect/vitest`, which provides the TestClock for you.
 *
 *   npx tsx examples/testing-with-testclock.ts
 */
import { Clock, Effect, Fiber, TestClock, TestContext } from "effect"
import { Backoff, HttpResilient, HttpResilientTest, RetryPolicy } from "../src/index.js"

// the code under test: fetch a report, retrying patiently
const fetchReport = HttpResilient.get("https://reports.example/daily").pipe(
  Effect.retry(RetryPolicy.make({ retries: 5, backoff: Backoff.exponential({ base: "1 second" }) })),
  Effect.flatMap((response) => response.text)
)

const test = Effect.gen(function*() {
  const start = yield* Clock.currentTimeMillis
  const fiber = yield* Effect.fork(fetchReport)
  yield* TestClock.adjust("1 minute") // every sleep due within a minute runs now
  const report = yield* Fiber.join(fiber)
  const sent = yield* HttpResilientTest.requests
  const times = sent.map((request) => request.at - start)
  if (report !== "all good" || times.join() !== "0,1000,3000,7000") {
    throw new Error(`unexpected: ${report} at ${times.join()}`)
  }
  yield* Effect.log(`"${report}" after ${sent.length} requests at virtual ms ${times.join(", ")}`)
}).pipe(
  Effect.provide(
    HttpResilientTest.layer([
      HttpResilientTest.reply(503),
      HttpResilientTest.fault("ConnectionReset"),
      HttpResilientTest.reply(502),
      HttpResilientTest.reply(200, { body: "all good" })
    ])
  ),
  Effect.provide(TestContext.TestContext)
)

const started = performance.now()
await Effect.runPromise(test)
console.log(`7 seconds of backoff took ${Math.round(performance.now() - started)} ms of real time`)
