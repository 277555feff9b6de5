import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Duration,
  Effect,
  Exit,
  Fiber,
  Metric,
  Option,
  Queue,
  Schedule,
  Stream,
  TestClock,
  TestServices
} from "effect"
import type * as Scope from "effect/Scope"
import {
  Backoff,
  HttpResilient,
  HttpResilientError,
  HttpResilientTest,
  ResilientClient,
  type ResilientEvent,
  RetryPolicy,
  Telemetry
} from "../src/index.js"
import { twoRetriesThenSuccess } from "./support/events.js"

const noJitter = (base: Duration.DurationInput) => Backoff.exponential({ base })

type AnyEvent = ResilientEvent.ResilientEvent

/**
 * Runs `self` in a fiber and lets virtual time pass as the retry policy asks: each time the client publishes
 * `RetryScheduled { delay }`, waits until that sleep is registered and advances the TestClock to it. (When a
 * combinator changed the delay, the earliest sleep registered instead; attempt timeouts are an hour away and
 * never picked.) Returns the exit and every event published meanwhile.
 */
const drive = <A, E>(
  self: Effect.Effect<A, E, ResilientClient.ResilientClient>
): Effect.Effect<
  { readonly exit: Exit.Exit<A, E>; readonly events: ReadonlyArray<AnyEvent> },
  never,
  ResilientClient.ResilientClient | Scope.Scope | TestServices.TestServices
> =>
  Effect.gen(function*() {
    const queue = yield* ResilientClient.subscribe
    const fiber = yield* Effect.fork(self)
    const events: Array<AnyEvent> = []
    for (let i = 0; i < 1000; i++) {
      const next = yield* Effect.raceFirst(
        Effect.map(Queue.take(queue), Option.some),
        Effect.as(Fiber.await(fiber), Option.none())
      )
      if (Option.isNone(next)) break
      events.push(next.value)
      // after a refusal (Failed) a combinator may still delay the run that ends the call
      if (next.value._tag !== "RetryScheduled" && next.value._tag !== "Failed") continue
      const delay = next.value._tag === "RetryScheduled" ? Duration.toMillis(next.value.delay) : -1
      const now = yield* TestClock.currentTimeMillis
      const started = Date.now()
      for (let j = 0;; j++) {
        const pending = Chunk.filter(yield* TestClock.sleeps(), (t) => t > now && t <= now + 600_000)
        if (Chunk.some(pending, (t) => t === now + delay)) {
          yield* TestClock.adjust(Duration.millis(delay))
          break
        }
        // a combinator lengthened the delay (or, after a refusal, delays the last run): take the next sleep
        const longer = Chunk.filter(pending, (t) => t >= now + delay)
        if (Date.now() - started > 300 && Chunk.isNonEmpty(longer)) {
          yield* TestClock.adjust(Duration.millis(Math.min(...longer) - now))
          break
        }
        if (fiber.unsafePoll() !== null || (yield* Queue.size(queue)) > 0) break
        if (Date.now() - started > 10_000) return yield* Effect.dieMessage(`nothing followed ${next.value._tag}`)
        yield* j < 100 ? Effect.yieldNow() : Effect.promise(() => new Promise((r) => setTimeout(r, 1)))
      }
    }
    const exit = yield* Fiber.await(fiber)
    events.push(...Chunk.toReadonlyArray(yield* Queue.takeAll(queue)))
    return { exit, events }
  })

const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = Cause.failureOption(exit.cause)
  if (Option.isNone(error)) throw new Error(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  return error.value
}

const tags = (events: ReadonlyArray<AnyEvent>) => events.map((e) => e._tag)

/** What a scripted origin was sent: path and query, headers, body. */
interface Received {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** A "server": an origin of the scripted transport (no socket), and what it was sent. */
interface ScriptedServer {
  readonly url: string
  readonly received: Array<Received>
  count(): number
}

/** The scripted transport's origins: host → how it answers its request n (from 0), and what it was sent. */
const origins = new Map<
  string,
  { readonly answer: (n: number) => HttpResilientTest.Step; readonly received: Array<Received> }
>()
let originsMade = 0

/** A new origin of the scripted transport answering its request n (from 0) with `answer(n)`. */
const scriptedOrigin = (answer: (n: number) => HttpResilientTest.Step): Effect.Effect<ScriptedServer> =>
  Effect.sync(() => {
    const host = `s${originsMade++}.test`
    const received: Array<Received> = []
    origins.set(host, { answer, received })
    return { url: `http://${host}`, received, count: () => received.length }
  })

/** An origin answering every request with `status` (and `headers`). */
const statusServer = (status: number, headers: Record<string, string> = {}) =>
  scriptedOrigin(() => HttpResilientTest.reply(status, { headers, body: `status ${status}` }))

/** An origin answering with the given statuses in turn (the last one repeats); `headers` go on the 4xx/5xx. */
const scriptedServer = (statuses: ReadonlyArray<number>, headers: Record<string, string> = {}) =>
  scriptedOrigin((n) => {
    const status = statuses[Math.min(n, statuses.length - 1)]
    return HttpResilientTest.reply(status, { headers: status >= 400 ? headers : {}, body: `status ${status}` })
  })

/** An origin where nothing listens: every request is refused. */
const refusedUrl = "http://refused.test"

/**
 * A client over the scripted transport that routes each request to its origin. Attempt timeouts are long (an hour) so
 * that their (virtual) timers never get in the way of the backoff's.
 */
const clientWith = (options: ResilientClient.ClientOptions = {}) =>
  HttpResilientTest.layer((request) => {
    const url = new URL(request.url)
    const origin = origins.get(url.host)
    if (origin === undefined) return HttpResilientTest.fault("ConnectionRefused")
    origin.received.push({ url: url.pathname + url.search, headers: request.headers, body: Buffer.from(request.body) })
    return origin.answer(origin.received.length - 1)
  }, { timeout: "1 hour", ...options })

const Client = clientWith()

/** A client (attempt timeouts an hour away, like `Client`) over a scripted transport answering `steps`. */
const scripted = (steps: HttpResilientTest.Script, options: ResilientClient.ClientOptions = {}) =>
  HttpResilientTest.layer(steps, { timeout: "1 hour", ...options })

/** How many requests the scripted transport saw. */
const sentCount = Effect.map(HttpResilientTest.requests, (sent) => sent.length)

describe("RetryPolicy over a server (scripted)", () => {
  it.scoped("always 503 with retries: 3 → exactly 4 requests, the last StatusError with attempt 4", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const attempts: Array<number> = []
      const call = HttpResilient.currentAttempt.pipe(
        Effect.tap((n) => attempts.push(n)),
        Effect.zipRight(HttpResilient.get(`${server.url}/x`)),
        Effect.retry(RetryPolicy.make({ retries: 3 }))
      )
      const { events, exit } = yield* drive(call)
      const error = failure(exit)
      assert.strictEqual(server.count(), 4)
      assert.strictEqual(error._tag, "StatusError")
      assert.strictEqual(error.attempt, 4)
      assert.deepStrictEqual(attempts, [1, 2, 3, 4])
      const failed = events.filter((e): e is ResilientEvent.Failed => e._tag === "Failed")
      assert.deepStrictEqual(failed.map((e) => [e.reason, e.attempt]), [["exhausted", 4]])
    }).pipe(Effect.provide(Client)))

  it.scoped("404 is not retried: exactly 1 request", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(404)
      const { events, exit } = yield* drive(
        HttpResilient.get(`${server.url}/missing`).pipe(Effect.retry(RetryPolicy.default))
      )
      assert.strictEqual(failure(exit)._tag, "StatusError")
      assert.strictEqual(server.count(), 1)
      const failed = events.find((e): e is ResilientEvent.Failed => e._tag === "Failed")
      assert.strictEqual(failed?.reason, "not-retryable")
    }).pipe(Effect.provide(Client)))

  it.scoped("the first attempt succeeding: 1 request, nothing scheduled", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(200)
      const { events, exit } = yield* drive(HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.default)))
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(server.count(), 1)
      assert.deepStrictEqual(tags(events), ["RequestStarted", "Succeeded"])
    }).pipe(Effect.provide(Client)))

  it.scoped("503 → 503 → 200 publishes the events in order and counts the retries by reason", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([503, 503, 200])
      const counter = Telemetry.retries.pipe(Metric.tagged("reason", "backoff"))
      const before = (yield* Metric.value(counter)).count
      const { events, exit } = yield* drive(
        HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.make({ backoff: noJitter("10 millis") })))
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(tags(events), [...twoRetriesThenSuccess])
      const scheduled = events.filter((e): e is ResilientEvent.RetryScheduled => e._tag === "RetryScheduled")
      assert.deepStrictEqual(scheduled.map((e) => [Duration.toMillis(e.delay), e.reason, e.attempt]), [
        [10, "backoff", 1],
        [20, "backoff", 2]
      ])
      assert.strictEqual((yield* Metric.value(counter)).count - before, 2)
    }).pipe(Effect.provide(Client)))

  it.scoped("exponential 100 ms without jitter: attempts start at virtual 0, 100, 300, 700 ms", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(500)
      const { events } = yield* drive(
        HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.make({ backoff: noJitter("100 millis") })))
      )
      const starts = events.filter((e) => e._tag === "RequestStarted").map((e) =>
        (e as { timestamp: number }).timestamp
      )
      assert.deepStrictEqual(starts, [0, 100, 300, 700])
      assert.strictEqual(server.count(), 4)
    }).pipe(Effect.provide(Client)))

  it.scoped("the default policy retries 3 times with delays inside full jitter's range", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(502)
      const { events } = yield* drive(HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.default)))
      const delays = events
        .filter((e): e is ResilientEvent.RetryScheduled => e._tag === "RetryScheduled")
        .map((e) => Duration.toMillis(e.delay))
      assert.strictEqual(server.count(), 4)
      assert.strictEqual(delays.length, 3)
      delays.forEach((d, i) => assert.isTrue(d >= 0 && d <= 100 * 2 ** i, `delay ${i}: ${d}`))
    }).pipe(Effect.provide(Client)))
})

describe("Retry-After", () => {
  const secondAttemptAfter = (retryAfter: string, expectedMillis: number) =>
    Effect.gen(function*() {
      const queue = yield* ResilientClient.subscribe
      const fiber = yield* Effect.fork(
        HttpResilient.get("http://api.test/x").pipe(
          Effect.retry(RetryPolicy.make({ backoff: noJitter("10 millis") }))
        )
      )
      let scheduled: ResilientEvent.RetryScheduled | undefined
      while (scheduled === undefined) {
        const event = yield* Queue.take(queue)
        if (event._tag === "RetryScheduled") scheduled = event
      }
      assert.strictEqual(Duration.toMillis(scheduled.delay), expectedMillis)
      assert.strictEqual(scheduled.reason, "retry-after")
      yield* TestClock.adjust(Duration.millis(expectedMillis - 1))
      assert.strictEqual(yield* sentCount, 1)
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      const sent = yield* HttpResilientTest.requests
      assert.strictEqual(sent.length, 2)
      assert.strictEqual(sent[1].at - sent[0].at, expectedMillis)
    }).pipe(
      Effect.provide(scripted([
        HttpResilientTest.reply(503, { headers: { "retry-after": retryAfter } }),
        HttpResilientTest.reply(200)
      ]))
    )

  it.scoped("Retry-After: 2 → the second attempt is not sent before 2 s of virtual time", () =>
    secondAttemptAfter("2", 2000))

  it.scoped("an HTTP-date Retry-After works the same", () =>
    // the TestClock starts at the epoch
    secondAttemptAfter(new Date(2000).toUTCString(), 2000))

  it.scoped("Retry-After: 0 retries at once, without the backoff", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([429, 429, 200], { "retry-after": "0" })
      const response = yield* HttpResilient.get(server.url).pipe(
        Effect.retry(RetryPolicy.make({ backoff: Backoff.constant("1 hour") }))
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(Client)))

  it.scoped("RateLimit-Reset is the fallback", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([429, 200], { "ratelimit-reset": "3" })
      const { events, exit } = yield* drive(
        HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.make({ backoff: noJitter("10 millis") })))
      )
      assert.isTrue(Exit.isSuccess(exit))
      const scheduled = events.find((e): e is ResilientEvent.RetryScheduled => e._tag === "RetryScheduled")
      assert.deepStrictEqual([Duration.toMillis(scheduled!.delay), scheduled!.reason], [3000, "rate-limit-reset"])
    }).pipe(Effect.provide(Client)))

  it.scoped("Retry-After: 120 with maxRetryAfter 60 s → RetryAfterTooLongError after 1 request, without sleeping", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503, { "retry-after": "120" })
      const queue = yield* ResilientClient.subscribe
      const error = yield* Effect.flip(
        HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.make({ maxRetryAfter: "60 seconds" })))
      )
      assert.strictEqual(error._tag, "RetryAfterTooLongError")
      if (error._tag !== "RetryAfterTooLongError") return
      assert.strictEqual(Duration.toMillis(error.retryAfter), 120_000)
      assert.strictEqual(Duration.toMillis(error.limit), 60_000)
      assert.strictEqual(error.lastError?._tag, "StatusError")
      assert.strictEqual(error.attempt, 1)
      assert.strictEqual(server.count(), 1)
      assert.strictEqual(yield* TestClock.currentTimeMillis, 0)
      const events = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      assert.deepStrictEqual(tags(events), ["RequestStarted", "AttemptFailed", "Failed"])
      assert.strictEqual((events[2] as ResilientEvent.Failed).reason, "retry-after-too-long")
    }).pipe(Effect.provide(Client)))

  it.scoped("onRetryAfterTooLong: \"clamp\" waits maxRetryAfter instead", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([503, 200], { "retry-after": "120" })
      const { events, exit } = yield* drive(
        HttpResilient.get(server.url).pipe(
          Effect.retry(RetryPolicy.make({ maxRetryAfter: "60 seconds", onRetryAfterTooLong: "clamp" }))
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      const scheduled = events.find((e): e is ResilientEvent.RetryScheduled => e._tag === "RetryScheduled")
      assert.strictEqual(Duration.toMillis(scheduled!.delay), 60_000)
    }).pipe(Effect.provide(Client)))

  it.scoped("respectRetryAfter: false keeps the backoff", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([503, 200], { "retry-after": "120" })
      const { events } = yield* drive(
        HttpResilient.get(server.url).pipe(
          Effect.retry(RetryPolicy.make({ backoff: noJitter("10 millis"), respectRetryAfter: false }))
        )
      )
      const scheduled = events.find((e): e is ResilientEvent.RetryScheduled => e._tag === "RetryScheduled")
      assert.deepStrictEqual([Duration.toMillis(scheduled!.delay), scheduled!.reason], [10, "backoff"])
    }).pipe(Effect.provide(Client)))

  it.scoped("413 is retried only when it carries a Retry-After", () =>
    Effect.gen(function*() {
      const plain = yield* statusServer(413)
      yield* Effect.flip(HttpResilient.post(plain.url).pipe(Effect.retry(RetryPolicy.default)))
      assert.strictEqual(plain.count(), 1)
      const withWait = yield* scriptedServer([413, 200], { "retry-after": "1" })
      const { exit } = yield* drive(HttpResilient.put(withWait.url).pipe(Effect.retry(RetryPolicy.default)))
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(withWait.count(), 2)
    }).pipe(Effect.provide(Client)))
})

describe("idempotency", () => {
  it.scoped("POST without a key → 1 request; with idempotencyKey: true the retries carry the same key", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const policy = RetryPolicy.make({ backoff: noJitter("10 millis") })
      const { events } = yield* drive(HttpResilient.post(server.url, { json: { a: 1 } }).pipe(Effect.retry(policy)))
      assert.strictEqual(server.count(), 1)
      assert.isUndefined(server.received[0].headers["idempotency-key"])
      assert.strictEqual(events.find((e): e is ResilientEvent.Failed => e._tag === "Failed")?.reason, "not-retryable")

      const { exit } = yield* drive(
        HttpResilient.post(server.url, { json: { a: 1 }, idempotencyKey: true }).pipe(Effect.retry(policy))
      )
      assert.strictEqual(failure(exit).attempt, 4)
      const keys = server.received.slice(1).map((r) => r.headers["idempotency-key"])
      assert.strictEqual(keys.length, 4)
      assert.match(String(keys[0]), /^[0-9a-f-]{36}$/)
      assert.deepStrictEqual(new Set(keys).size, 1)
      assert.deepStrictEqual(server.received.slice(1).map((r) => r.body.toString()), Array(4).fill("{\"a\":1}"))
    }).pipe(Effect.provide(Client)))

  it.scoped("a fresh call gets a fresh key; PATCH with a given key is retried with it", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const policy = RetryPolicy.make({ retries: 1, backoff: noJitter("10 millis") })
      const call = HttpResilient.post(server.url, { idempotencyKey: true }).pipe(Effect.retry(policy))
      yield* drive(call)
      yield* drive(call)
      const keys = server.received.map((r) => r.headers["idempotency-key"])
      assert.strictEqual(keys[0], keys[1])
      assert.strictEqual(keys[2], keys[3])
      assert.notStrictEqual(keys[0], keys[2])
      yield* drive(HttpResilient.patch(server.url, { idempotencyKey: "order-7" }).pipe(Effect.retry(policy)))
      assert.deepStrictEqual(server.received.slice(4).map((r) => r.headers["idempotency-key"]), ["order-7", "order-7"])
    }).pipe(Effect.provide(Client)))

  it.scoped("the same key on every attempt of a request's own retry option", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([503, 503, 201])
      const { exit } = yield* drive(
        HttpResilient.post(server.url, {
          text: "x",
          idempotencyKey: true,
          retry: RetryPolicy.make({ backoff: noJitter("10 millis") })
        })
      )
      assert.isTrue(Exit.isSuccess(exit))
      const keys = server.received.map((r) => r.headers["idempotency-key"])
      assert.strictEqual(keys.length, 3)
      assert.strictEqual(new Set(keys).size, 1)
    }).pipe(Effect.provide(Client)))

  it.scoped("a stream body is never retried, even on an idempotent method", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const { events, exit } = yield* drive(
        HttpResilient.put(server.url, { stream: Stream.make(new TextEncoder().encode("chunk")) }).pipe(
          Effect.retry(RetryPolicy.default)
        )
      )
      assert.strictEqual(failure(exit)._tag, "StatusError")
      assert.strictEqual(server.count(), 1)
      assert.strictEqual(events.find((e): e is ResilientEvent.Failed => e._tag === "Failed")?.reason, "not-retryable")
    }).pipe(Effect.provide(Client)))

  it.scoped("statuses and retryOn replace what is worth retrying", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(404)
      yield* drive(
        HttpResilient.get(server.url).pipe(
          Effect.retry(RetryPolicy.make({ retries: 1, statuses: [404], backoff: Schedule.spaced("5 millis") }))
        )
      )
      assert.strictEqual(server.count(), 2)
      yield* drive(
        HttpResilient.get(server.url).pipe(
          Effect.retry(
            RetryPolicy.make({
              retries: 2,
              retryOn: (e) => e._tag === "StatusError" && e.status === 404,
              backoff: Backoff.decorrelatedJitter({ base: "10 millis", max: "1 second" })
            })
          )
        )
      )
      assert.strictEqual(server.count(), 5)
      const only503 = yield* statusServer(500)
      yield* drive(HttpResilient.get(only503.url).pipe(Effect.retry(RetryPolicy.make({ statuses: [503] }))))
      assert.strictEqual(only503.count(), 1)
    }).pipe(Effect.provide(Client)))

  it.scoped("retry only on 503: statuses still retries a reset, retryOn retries nothing else (README recipe)", () =>
    Effect.gen(function*() {
      // every odd request is reset before an answer, every even one gets 200
      const server = yield* scriptedOrigin((n) =>
        n % 2 === 0 ? HttpResilientTest.fault("ConnectionReset") : HttpResilientTest.reply(200, { body: "ok" })
      )
      const withStatuses = yield* drive(
        HttpResilient.get(server.url).pipe(
          Effect.retry(RetryPolicy.make({ statuses: [503], backoff: noJitter("1 millis") }))
        )
      )
      assert.isTrue(Exit.isSuccess(withStatuses.exit))
      assert.strictEqual(server.count(), 2)
      const only503 = yield* drive(
        HttpResilient.get(server.url).pipe(
          Effect.retry(RetryPolicy.make({
            retryOn: (error) => error._tag === "StatusError" && error.status === 503,
            backoff: noJitter("1 millis")
          }))
        )
      )
      const error = failure(only503.exit)
      assert.isTrue(error._tag === "TransportError" && error.reason === "ConnectionReset")
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(Client)))

  it.scoped("methods widens what is retried without a key", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      yield* drive(
        HttpResilient.post(server.url).pipe(
          Effect.retry(RetryPolicy.make({ retries: 2, methods: ["GET", "POST"], backoff: noJitter("1 millis") }))
        )
      )
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(Client)))
})

/** A deadline `TimeoutError` of the first attempt of a GET to `http://api.test/${path}`: returned, checked. */
const assertDeadlineOf = (error: unknown, path: string): HttpResilientError.TimeoutError => {
  assert.instanceOf(error, HttpResilientError.TimeoutError)
  const timeout = error as HttpResilientError.TimeoutError
  assert.strictEqual(timeout.scope, "deadline")
  assert.strictEqual(timeout.method, "GET")
  assert.strictEqual(timeout.url, `http://api.test/${path}`)
  assert.strictEqual(timeout.attempt, 1)
  return timeout
}

describe("deadlines", () => {
  it.scoped("a 2 s deadline with a 5 s Retry-After fails at once", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503, { "retry-after": "5" })
      const error = yield* Effect.flip(
        HttpResilient.get(server.url, { deadline: "2 seconds" }).pipe(Effect.retry(RetryPolicy.default))
      )
      assert.strictEqual(error._tag, "RetryAfterTooLongError")
      assert.strictEqual(error._tag === "RetryAfterTooLongError" && Duration.toMillis(error.limit), 2000)
      assert.strictEqual(server.count(), 1)
      assert.strictEqual(yield* TestClock.currentTimeMillis, 0)
      // the same under withDeadline
      const again = yield* Effect.flip(
        HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.default), HttpResilient.withDeadline("2 seconds"))
      )
      assert.strictEqual(again._tag, "RetryAfterTooLongError")
      assert.strictEqual(server.count(), 2)
      assert.strictEqual(yield* TestClock.currentTimeMillis, 0)
    }).pipe(Effect.provide(Client)))

  it.scoped("a deadline never lets total virtual time run past it", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const policy = RetryPolicy.make({ retries: 100, backoff: Backoff.constant("300 millis") })
      for (
        const call of [
          HttpResilient.get(server.url, { deadline: "1 second" }).pipe(Effect.retry(policy)),
          HttpResilient.get(server.url).pipe(Effect.retry(policy), HttpResilient.withDeadline("1 second")),
          HttpResilient.get(server.url, { deadline: "1 second", retry: policy })
        ]
      ) {
        const start = yield* TestClock.currentTimeMillis
        const before = server.count()
        const { events, exit } = yield* drive(call)
        const error = failure(exit)
        assert.strictEqual(error._tag, "TimeoutError")
        assert.strictEqual(error._tag === "TimeoutError" && error.scope, "deadline")
        assert.strictEqual(error.attempt, 4)
        assert.match(error.message, /GET http:\/\/s\d+\.test\/ \(attempt 4\)/)
        // attempts at 0, 300, 600, 900: a fifth at 1200 would pass the deadline
        assert.strictEqual(server.count() - before, 4)
        assert.strictEqual((yield* TestClock.currentTimeMillis) - start, 900)
        assert.strictEqual(events.find((e): e is ResilientEvent.Failed => e._tag === "Failed")?.reason, "deadline")
      }
    }).pipe(Effect.provide(Client)))

  it.scoped("the client's deadline bounds a call retried by its retry option; the policy reports it", () =>
    Effect.gen(function*() {
      const queue = yield* ResilientClient.subscribe
      const fiber = yield* Effect.fork(HttpResilient.get("http://api.test/x"))
      // the attempt's timeout (1 hour) is clipped to the deadline
      yield* TestClock.adjust("999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error._tag === "TimeoutError" && error.scope, "deadline")
      const events = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      const failed = events.find((e): e is ResilientEvent.Failed => e._tag === "Failed")
      assert.strictEqual(failed?.reason, "deadline")
      assert.strictEqual(yield* sentCount, 1)
    }).pipe(
      // a server that never answers: only the attempt timeout ends the attempt
      Effect.provide(
        scripted([HttpResilientTest.fault("Timeout")], { deadline: "1 second", retry: RetryPolicy.default })
      )
    ))

  it.scoped("withDeadline's own timeout names the request and the attempt", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        HttpResilient.get("http://api.test/slowly").pipe(
          Effect.retry(Schedule.spaced("10 seconds")),
          HttpResilient.withDeadline("5 seconds")
        )
      )
      yield* TestClock.adjust("4999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      assertDeadlineOf(yield* Effect.flip(Fiber.join(fiber)), "slowly")
      assert.strictEqual(yield* sentCount, 1)
    }).pipe(Effect.provide(scripted([HttpResilientTest.reply(503)]))))

  it.scoped("an enclosing withDeadline's timeout names the request too, however deep the call", () =>
    Effect.gen(function*() {
      const calls = [
        // the outer deadline is the earlier one: it fires, not the inner one
        HttpResilient.get("http://api.test/nested").pipe(
          Effect.retry(Schedule.spaced("10 seconds")),
          HttpResilient.withDeadline("10 seconds"),
          HttpResilient.withDeadline("5 seconds")
        ),
        // the outer deadline passes after the inner block ended
        HttpResilient.get("http://api.test/nested").pipe(
          Effect.ignore,
          HttpResilient.withDeadline("1 second"),
          Effect.zipRight(Effect.never),
          HttpResilient.withDeadline("5 seconds")
        ),
        // a request's own deadline option inside two withDeadlines
        HttpResilient.get("http://api.test/nested", { deadline: "10 seconds" }).pipe(
          Effect.retry(Schedule.spaced("10 seconds")),
          HttpResilient.withDeadline("10 seconds"),
          HttpResilient.withDeadline("5 seconds")
        )
      ]
      for (const call of calls) {
        const before = yield* sentCount
        const fiber = yield* Effect.fork(call)
        yield* TestClock.adjust("4999 millis")
        assert.isNull(fiber.unsafePoll())
        assert.strictEqual((yield* sentCount) - before, 1)
        yield* TestClock.adjust("1 millis")
        const error = assertDeadlineOf(yield* Effect.flip(Fiber.join(fiber)), "nested")
        assert.strictEqual(error.message, "Deadline exceeded: GET http://api.test/nested (attempt 1)")
      }
    }).pipe(Effect.provide(scripted([HttpResilientTest.reply(503)]))))
})

describe("failover and per-attempt options", () => {
  it.scoped("first URL refuses connections, the second answers → success on attempt 2 at the second URL", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(200)
      const { events, exit } = yield* drive(
        HttpResilient.get(`${refusedUrl}/a`, { failover: [`${server.url}/b`] }).pipe(
          Effect.retry(RetryPolicy.default)
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/b"])
      const succeeded = events.find((e): e is ResilientEvent.Succeeded => e._tag === "Succeeded")
      assert.strictEqual(succeeded?.attempt, 2)
      assert.match(succeeded!.url, /\/b$/)
    }).pipe(Effect.provide(Client)))

  it.scoped("failover goes round the list: primary, each failover URL, primary again", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      yield* drive(
        HttpResilient.get(`${server.url}/p`, { failover: [`${server.url}/f1`, `${server.url}/f2`] }).pipe(
          Effect.retry(RetryPolicy.make({ retries: 4, backoff: noJitter("1 millis") }))
        )
      )
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/p", "/f1", "/f2", "/p", "/f1"])
    }).pipe(Effect.provide(Client)))

  it.scoped("attempts gives per-attempt options; the last entry repeats", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      yield* drive(
        HttpResilient.get(server.url, {
          headers: { "x-base": "b" },
          attempts: [{ headers: { "x-n": "1" } }, { headers: { "x-n": "2" }, urlParams: { try: 2 } }]
        }).pipe(Effect.retry(RetryPolicy.make({ backoff: noJitter("1 millis") })))
      )
      assert.deepStrictEqual(server.received.map((r) => [r.headers["x-n"], r.url]), [
        ["1", "/"],
        ["2", "/?try=2"],
        ["2", "/?try=2"],
        ["2", "/?try=2"]
      ])
    }).pipe(Effect.provide(Client)))
})

describe("the client's retry budget", () => {
  /** an empty budget: no reserve, no share of the traffic */
  const empty = { ratio: 0, minRetriesPerSecond: 0 }

  it.scoped("an empty budget fails the call with RetryBudgetExhaustedError { lastError }", () =>
    Effect.gen(function*() {
      const { events, exit } = yield* drive(
        HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default))
      )
      const error = failure(exit)
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      if (error._tag !== "RetryBudgetExhaustedError") return
      assert.strictEqual(error.lastError._tag, "StatusError")
      assert.strictEqual(error.lastError.attempt, 1)
      assert.strictEqual(yield* sentCount, 1)
      assert.deepStrictEqual(tags(events), [
        "RequestStarted",
        "AttemptFailed",
        "RetryBudgetExhausted",
        "Failed"
      ])
      // the budget was asked once, at once (virtual time 0)
      assert.strictEqual((events[2] as ResilientEvent.RetryBudgetExhausted).timestamp, 0)
      assert.strictEqual((events[3] as ResilientEvent.Failed).reason, "budget")
      assert.strictEqual((events[3] as ResilientEvent.Failed).error, error)
    }).pipe(Effect.provide(scripted([HttpResilientTest.reply(503)], { retryBudget: empty }))))

  it.scoped("with the client's real budget: an empty one refuses, and the refusal is counted", () =>
    Effect.gen(function*() {
      const before = (yield* Metric.value(Telemetry.retryBudgetRejections)).count
      const { exit } = yield* drive(HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default)))
      const error = failure(exit)
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(yield* sentCount, 1)
      assert.strictEqual((yield* Metric.value(Telemetry.retryBudgetRejections)).count - before, 1)
    }).pipe(Effect.provide(scripted([HttpResilientTest.reply(503)], { retryBudget: empty }))))

  it.scoped("with the client's default budget a lone call gets its retries from the reserve", () =>
    Effect.gen(function*() {
      const { exit } = yield* drive(HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default)))
      assert.strictEqual(failure(exit)._tag, "StatusError")
      assert.strictEqual(yield* sentCount, 4)
    }).pipe(Effect.provide(scripted([HttpResilientTest.reply(503)]))))

  it.scoped("every retry spends from the budget: two allowed, then refused", () =>
    Effect.gen(function*() {
      const { exit } = yield* drive(
        HttpResilient.get("http://api.test/x").pipe(
          Effect.retry(RetryPolicy.make({ retries: 10, backoff: noJitter("1 millis") }))
        )
      )
      assert.strictEqual(failure(exit)._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(yield* sentCount, 3)
    }).pipe(
      // a reserve of two retries (0.2 a second over 10 s), no share of the traffic
      Effect.provide(scripted([HttpResilientTest.reply(503)], {
        retryBudget: { ratio: 0, minRetriesPerSecond: 0.2, window: "10 seconds" }
      }))
    ))

  it.scoped("the budget is also spent under a client-wide retry option; a retry around it reports once", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(HttpResilient.get("http://api.test/x"))
      assert.strictEqual(error._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(yield* sentCount, 1)
      const { events, exit } = yield* drive(
        HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default))
      )
      assert.strictEqual(failure(exit)._tag, "RetryBudgetExhaustedError")
      assert.strictEqual(yield* sentCount, 2)
      assert.deepStrictEqual(tags(events), ["RequestStarted", "AttemptFailed", "RetryBudgetExhausted", "Failed"])
    }).pipe(
      Effect.provide(scripted([HttpResilientTest.reply(503)], { retry: RetryPolicy.default, retryBudget: empty }))
    ))
})

describe("retry options and composition", () => {
  it.scoped("a client-wide retry option, and a request's retry: false overriding it", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const { exit } = yield* drive(HttpResilient.get(server.url))
      assert.strictEqual(failure(exit).attempt, 3)
      assert.strictEqual(server.count(), 3)
      yield* Effect.flip(HttpResilient.get(server.url, { retry: false }))
      assert.strictEqual(server.count(), 4)
      yield* Effect.flip(HttpResilient.get(server.url, { retry: RetryPolicy.none }))
      assert.strictEqual(server.count(), 5)
    }).pipe(
      Effect.provide(clientWith({ retry: RetryPolicy.make({ retries: 2, backoff: noJitter("5 millis") }) }))
    ))

  it.scoped("composes with Schedule.intersect: the longer delay, both limits", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const policy = Schedule.intersect(
        RetryPolicy.make({ retries: 3, backoff: noJitter("100 millis") }),
        Schedule.spaced("250 millis")
      )
      const { events } = yield* drive(HttpResilient.get(server.url).pipe(Effect.retry(policy)))
      const starts = events.filter((e) => e._tag === "RequestStarted").map((e) =>
        (e as { timestamp: number }).timestamp
      )
      // the policy's events report its own delays (100, 200, 400) while intersect waits the longer one
      assert.strictEqual(server.count(), 4)
      assert.deepStrictEqual(starts, [0, 250, 500, 900])
    }).pipe(Effect.provide(Client)))

  it.scoped("a refusal still ends the call with its own error under a combinator", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503, { "retry-after": "120" })
      const policy = Schedule.intersect(RetryPolicy.default, Schedule.spaced("1 second"))
      const { exit } = yield* drive(HttpResilient.get(server.url).pipe(Effect.retry(policy)))
      assert.strictEqual(failure(exit)._tag, "RetryAfterTooLongError")
      assert.strictEqual(server.count(), 1)
    }).pipe(Effect.provide(Client)))

  it.scoped("composes with Schedule.recurs and whileInput", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const policy = RetryPolicy.make({ retries: 10, backoff: noJitter("1 millis") }).pipe(
        Schedule.intersect(Schedule.recurs(1))
      )
      yield* drive(HttpResilient.get(server.url).pipe(Effect.retry(policy)))
      assert.strictEqual(server.count(), 2)
      const never = RetryPolicy.default.pipe(
        Schedule.whileInput((e: unknown) => HttpResilientError.isHttpResilientError(e) && e.attempt < 1)
      )
      yield* drive(HttpResilient.get(server.url).pipe(Effect.retry(never)))
      assert.strictEqual(server.count(), 3)
    }).pipe(Effect.provide(Client)))
})

describe("outside a client", () => {
  const refused = (attempt: number) =>
    new HttpResilientError.TransportError({
      method: "GET",
      url: "http://example.test/",
      attempt,
      reason: "ConnectionRefused"
    })

  it.effect("still retries, without budget or events", () =>
    Effect.gen(function*() {
      const runs: Array<number> = []
      const failing = Effect.flatMap(HttpResilient.currentAttempt, (n) => {
        runs.push(n)
        return Effect.fail(refused(n))
      })
      const fiber = yield* Effect.fork(
        Effect.retry(failing, RetryPolicy.make({ retries: 2, backoff: noJitter("1 second") }))
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.deepStrictEqual(runs, [1, 2, 3])
      assert.strictEqual(error.attempt, 3)
    }))

  it.effect("errors that are not HttpResilientError are never retried", () =>
    Effect.gen(function*() {
      let runs = 0
      yield* Effect.flip(Effect.retry(Effect.suspend(() => Effect.fail(`run ${++runs}`)), RetryPolicy.default))
      assert.strictEqual(runs, 1)
    }))

  it.effect("RetryPolicy.none never retries", () =>
    Effect.gen(function*() {
      let runs = 0
      yield* Effect.flip(Effect.retry(Effect.suspend(() => Effect.fail(refused(++runs))), RetryPolicy.none))
      assert.strictEqual(runs, 1)
    }))

  it("bad options are a clear error at construction", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ retries: -1 }, /option "retries" must be a non-negative integer.*got -1/],
      [{ retries: 1.5 }, /option "retries".*got 1\.5/],
      [{ backoff: "fast" }, /option "backoff" must be a Schedule/],
      [{ statuses: [99] }, /option "statuses".*got \[99\]/],
      [{ methods: ["G ET"] }, /option "methods"/],
      [{ maxRetryAfter: -5 }, /option "maxRetryAfter" must be a non-negative finite duration, got -5/],
      [{ onRetryAfterTooLong: "wait" }, /option "onRetryAfterTooLong" must be "fail" or "clamp", got "wait"/],
      [{ retryOn: true }, /option "retryOn"/],
      [5, /option "options" must be an object/]
    ]
    for (const [options, message] of cases) {
      assert.throws(() => RetryPolicy.make(options as RetryPolicy.Options), message)
      try {
        RetryPolicy.make(options as RetryPolicy.Options)
      } catch (error) {
        assert.isTrue(Cause.isIllegalArgumentException(error))
      }
    }
  })

  it("a misspelt option is an IllegalArgumentException naming it and the known options", () => {
    const build = () => RetryPolicy.make({ retires: 3 } as RetryPolicy.Options)
    assert.throws(
      build,
      `RetryPolicy.make: unknown option "retires" (known: retries, backoff, statuses, methods, retryOn, ` +
        `respectRetryAfter, maxRetryAfter, onRetryAfterTooLong; did you mean "retries"?)`
    )
    assert.throws(build, Cause.IllegalArgumentException)
    assert.throws(
      () => RetryPolicy.make({ retries: 1, maxRetryAftr: "1 second", foo: 1 } as RetryPolicy.Options),
      /unknown options "maxRetryAftr", "foo" \(known: .*; did you mean "maxRetryAfter"\?\)/
    )
    // nothing close: the known options alone
    assert.throws(() => RetryPolicy.make({ zzz: 1 } as RetryPolicy.Options), /"zzz" \(known: [^;]*\)$/)
  })
})

describe("HttpResilient.retry: Effect.retry set up only on failure", () => {
  it.scoped("same attempts, waits and events as Effect.retry; the body decoding is retried with the call", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 3, backoff: noJitter("100 millis") })
      const viaEffect = yield* scriptedServer([503, 503, 200])
      const a = yield* drive(
        Effect.flatMap(HttpResilient.get(viaEffect.url), HttpResilient.text).pipe(Effect.retry(policy))
      )
      const viaOurs = yield* scriptedServer([503, 503, 200])
      const b = yield* drive(
        Effect.flatMap(HttpResilient.get(viaOurs.url), HttpResilient.text).pipe(HttpResilient.retry(policy))
      )
      assert.deepStrictEqual(a.exit, Exit.succeed("status 200"))
      assert.deepStrictEqual(b.exit, Exit.succeed("status 200"))
      assert.strictEqual(viaOurs.count(), 3)
      const shape = (events: ReadonlyArray<AnyEvent>) =>
        events.map((e) => [e._tag, (e as { attempt: number }).attempt, (e as { timestamp: number }).timestamp])
      const start = (events: ReadonlyArray<AnyEvent>) => (events[0] as { timestamp: number }).timestamp
      assert.deepStrictEqual(
        shape(b.events).map(([tag, attempt, t]) => [tag, attempt, (t as number) - start(b.events)]),
        shape(a.events).map(([tag, attempt, t]) => [tag, attempt, (t as number) - start(a.events)])
      )
      assert.deepStrictEqual(
        b.events.filter((e) => e._tag === "RequestStarted").map((e) => (e as { attempt: number }).attempt),
        [1, 2, 3]
      )
    }).pipe(Effect.provide(Client)))

  it.scoped("a refusal ends it with the refusal and no further request; giving up ends it with the last error", () =>
    Effect.gen(function*() {
      const tooLong = yield* statusServer(503, { "retry-after": "120" })
      const refused = yield* drive(HttpResilient.get(tooLong.url).pipe(HttpResilient.retry(RetryPolicy.default)))
      assert.strictEqual(failure(refused.exit)._tag, "RetryAfterTooLongError")
      assert.strictEqual(tooLong.count(), 1)
      const down = yield* statusServer(503)
      const exhausted = yield* drive(
        HttpResilient.get(down.url).pipe(
          HttpResilient.retry(RetryPolicy.make({ retries: 2, backoff: noJitter("5 millis") }))
        )
      )
      const last = failure(exhausted.exit)
      assert.isTrue(last._tag === "StatusError" && last.status === 503 && last.attempt === 3)
      assert.strictEqual(down.count(), 3)
    }).pipe(Effect.provide(Client)))

  it.scoped("inside a later run of an outer retry, its own attempts still count from 1", () =>
    Effect.gen(function*() {
      const server = yield* statusServer(503)
      const inner = RetryPolicy.make({ retries: 1, backoff: noJitter("5 millis") })
      const { events } = yield* drive(
        HttpResilient.get(server.url).pipe(HttpResilient.retry(inner), Effect.retry(Schedule.recurs(1)))
      )
      assert.strictEqual(server.count(), 4)
      assert.deepStrictEqual(
        events.filter((e) => e._tag === "RequestStarted").map((e) => (e as { attempt: number }).attempt),
        [1, 2, 1, 2]
      )
    }).pipe(Effect.provide(Client)))
})

describe("a wait beyond what can be represented is too long, never absent (scripted transport)", () => {
  const farFuture: Record<string, Record<string, string>> = {
    "Retry-After: 1000000000000 (seconds)": { "retry-after": "1000000000000" },
    "Retry-After: a date in the year 9999": { "retry-after": "Fri, 31 Dec 9999 23:59:59 GMT" },
    "Retry-After: more digits than a number holds": { "retry-after": "9".repeat(400) },
    "RateLimit-Reset: a far epoch": { "ratelimit-reset": "99999999999999" },
    "X-RateLimit-Reset: a far epoch": { "x-ratelimit-reset": "99999999999999" }
  }
  const script = (headers: Record<string, string>) => [
    HttpResilientTest.reply(503, { headers }),
    HttpResilientTest.reply(200)
  ]

  for (const [what, headers] of Object.entries(farFuture)) {
    it.scoped(`${what} → RetryAfterTooLongError at once, one request`, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.make({ maxRetryAfter: "60 seconds" })))
        )
        // nothing to wait for: the first failure ends the call
        yield* TestClock.adjust("0 millis")
        const exit = yield* Fiber.await(fiber)
        const error = failure(exit)
        assert.strictEqual(error._tag, "RetryAfterTooLongError")
        if (error._tag !== "RetryAfterTooLongError") return
        assert.isTrue(
          Duration.greaterThan(error.retryAfter, Duration.days(365 * 1000)),
          Duration.format(error.retryAfter)
        )
        assert.strictEqual(Duration.toMillis(error.limit), 60_000)
        assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
      }).pipe(Effect.provide(HttpResilientTest.layer(script(headers)))))

    it.scoped(`${what}, onRetryAfterTooLong: "clamp" → waits maxRetryAfter`, () =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          HttpResilient.get("http://api.test/x").pipe(
            Effect.retry(RetryPolicy.make({ maxRetryAfter: "5 seconds", onRetryAfterTooLong: "clamp" }))
          )
        )
        yield* TestClock.adjust("4999 millis")
        assert.isNull(fiber.unsafePoll())
        yield* TestClock.adjust("1 millis")
        const response = yield* Fiber.join(fiber)
        assert.strictEqual(response.status, 200)
        const sent = yield* HttpResilientTest.requests
        assert.strictEqual(sent.length, 2)
        assert.strictEqual(sent[1].at - sent[0].at, 5000)
      }).pipe(Effect.provide(HttpResilientTest.layer(script(headers)))))
  }

  it("the error says the wait cannot be represented", () => {
    const error = new HttpResilientError.RetryAfterTooLongError({
      method: "GET",
      url: "http://api.test/x",
      attempt: 1,
      retryAfter: Duration.infinity,
      limit: Duration.seconds(60)
    })
    assert.strictEqual(
      error.message,
      "Server asked to wait longer than can be represented, more than 1m: GET http://api.test/x (attempt 1)"
    )
  })
})
