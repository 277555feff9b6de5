import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigError, ConfigProvider, Duration, Effect, Either, Exit, Fiber, Layer, TestClock } from "effect"
import type * as http from "node:http"
import {
  Backoff,
  Bulkhead,
  type CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryBudget,
  RetryPolicy
} from "../src/index.js"
import { protectionVariables } from "./shared/env.js"
import { failureTag } from "./support/events.js"
import { serverScoped, waitUntil } from "./support/server.js"

const fromEnv = (entries: Record<string, string>) =>
  ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" })

const buildError = (
  layer: Layer.Layer<ResilientClient.ResilientClient, ConfigError.ConfigError>,
  env: Record<string, string>
) => Effect.scoped(Layer.build(layer)).pipe(Effect.withConfigProvider(fromEnv(env)), Effect.flip)

/** The `InvalidData` leaves of a ConfigError, as `path: message`. */
const invalid = (error: ConfigError.ConfigError): Array<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...invalid(error.left), ...invalid(error.right)]
    case "InvalidData":
      return [`${error.path.join(".")}: ${error.message}`]
    default:
      return []
  }
}

describe("options from the environment", () => {
  it.effect("a bad value names the environment variable and the option", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.ResilientClientLive, { HTTP_RESILIENT_MAX_CONNECTIONS: "0" })
      assert.deepStrictEqual(invalid(error), [
        "HTTP_RESILIENT.MAX_CONNECTIONS: HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not an integer from 1 to 65536"
      ])
    }))

  it.effect("every bad value is reported, durations as written by Duration.format, under any prefix", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig("MY_HTTP"), {
        MY_HTTP_TIMEOUT: "0 seconds",
        MY_HTTP_BASE_URL: "ftp://files.example.com",
        MY_HTTP_FOLLOW_REDIRECTS: "500",
        MY_HTTP_REDACT_HEADERS: "x-ok,bad header"
      })
      const text = invalid(error)
      assert.include(
        text,
        "MY_HTTP.BASE_URL: MY_HTTP_BASE_URL (baseUrl): \"ftp://files.example.com\" is not an absolute http: or https: URL"
      )
      assert.include(
        text,
        "MY_HTTP.TIMEOUT: MY_HTTP_TIMEOUT (timeout): 0 is not a positive finite duration (e.g. \"10 seconds\" or 10000 for milliseconds)"
      )
      assert.include(
        text,
        "MY_HTTP.FOLLOW_REDIRECTS: MY_HTTP_FOLLOW_REDIRECTS (followRedirects): 500 is not true, false or an integer from 0 to 100"
      )
      assert.include(
        text,
        "MY_HTTP.REDACT_HEADERS: MY_HTTP_REDACT_HEADERS (redactHeaders): [\"x-ok\",\"bad header\"] is not a list of header names"
      )
      assert.strictEqual(text.length, 4)
    }))

  it.effect("a value that does not parse is reported by Config, at the same path", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.ResilientClientLive, { HTTP_RESILIENT_MAX_CONNECTIONS: "many" })
      assert.strictEqual(invalid(error).length, 1)
      assert.match(invalid(error)[0], /^HTTP_RESILIENT\.MAX_CONNECTIONS: /)
    }))

  it.effect("overrides given in code keep naming the option, and replace the environment's value", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig("HTTP_RESILIENT", { maxConnections: 0 }), {
        HTTP_RESILIENT_TIMEOUT: "0 millis"
      })
      assert.deepStrictEqual(invalid(error).sort(), [
        "HTTP_RESILIENT.TIMEOUT: HTTP_RESILIENT_TIMEOUT (timeout): 0 is not a positive finite duration (e.g. \"10 seconds\" or 10000 for milliseconds)",
        "maxConnections: maxConnections: 0 is not an integer from 1 to 65536"
      ])
      // a bad environment value replaced in code is no error
      const ok = yield* Effect.scoped(Layer.build(ResilientClient.layerConfig("HTTP_RESILIENT", { maxConnections: 8 })))
        .pipe(Effect.withConfigProvider(fromEnv({ HTTP_RESILIENT_MAX_CONNECTIONS: "0" })), Effect.either)
      assert.isTrue(Either.isRight(ok))
    }))

  it.effect("with no prefix the variable is the option's own name", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig(""), { PIPELINING: "0", DEADLINE: "0 seconds" })
      assert.deepStrictEqual(invalid(error), [
        "DEADLINE: DEADLINE (deadline): 0 is not a positive finite duration (e.g. \"10 seconds\" or 10000 for milliseconds)"
      ])
    }))

  it.effect("a misspelt option in code suggests the nearest one", () =>
    Effect.gen(function*() {
      const error = yield* Effect.scoped(Layer.build(ResilientClient.layer({ maxConnection: 5 } as any))).pipe(
        Effect.flip
      )
      assert.deepStrictEqual(invalid(error), [
        `maxConnection: maxConnection: unknown option (did you mean "maxConnections"?)`
      ])
    }))
})

/** Runs `self` against `layerConfig(prefix, overrides)` built from the environment `env`. */
const withEnv = (
  env: Record<string, string>,
  overrides: ResilientClient.ClientOptions = {},
  prefix = "HTTP_RESILIENT"
) =>
<A, E>(self: Effect.Effect<A, E, ResilientClient.ResilientClient>) =>
  self.pipe(Effect.provide(ResilientClient.layerConfig(prefix, overrides)), Effect.withConfigProvider(fromEnv(env)))

/**
 * Runs `self` against a client made (as `layerConfig` makes it) of the options the environment `env` gives, over a
 * scripted transport answering `script`: behaviour in virtual time, no socket.
 */
const withEnvScripted =
  (env: Record<string, string>, script: HttpResilientTest.Script) =>
  <A, E>(self: Effect.Effect<A, E, ResilientClient.ResilientClient | HttpResilientTest.Recorder>) =>
    self.pipe(
      Effect.provide(Layer.unwrapEffect(
        Effect.map(ResilientClient.optionsFromConfig("HTTP_RESILIENT"), (options) =>
          HttpResilientTest.layer(script, options))
      )),
      Effect.withConfigProvider(fromEnv(env))
    )

/** Lets forked fibers run up to their first suspension. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

/** The options the environment `env` gives `layerConfig` (it builds `layer` of them, code overrides over them). */
const optionsOf = (env: Record<string, string>) =>
  ResilientClient.optionsFromConfig("HTTP_RESILIENT").pipe(Effect.withConfigProvider(fromEnv(env)))

/** The retry budget's reserve in the client the environment `env` makes (`Infinity` with no budget). */
const budgetOf = (env: Record<string, string>) => RetryBudget.available.pipe(withEnv(env))

/** A server that holds every response until `release` is called. */
const holdingServer = Effect.gen(function*() {
  const held: Array<http.ServerResponse> = []
  const server = yield* serverScoped((_req, res) => held.push(res))
  const release = Effect.sync(() => {
    for (const res of held.splice(0)) res.end("ok")
  })
  return { server, release }
})

describe("protections from the environment", () => {
  it.effect("nothing set leaves the defaults; each section's variables land in its settings", () =>
    Effect.gen(function*() {
      // nothing set: the client gets no option, so every default
      assert.deepStrictEqual(yield* optionsOf({}), {})
      assert.deepStrictEqual(Bulkhead.defaults, { maxConcurrent: 1000, maxQueue: 0 })
      assert.deepStrictEqual(
        [
          RetryBudget.defaults.ratio,
          Duration.toMillis(RetryBudget.defaults.window),
          RetryBudget.defaults.minRetriesPerSecond,
          RetryBudget.defaults.adaptive
        ],
        [0.8, 10_000, 10, true]
      )
      // the default budget's reserve: 10 retries a second over 10 s
      assert.strictEqual(yield* budgetOf({}), 100)
      // the default breaker is the ratio strategy: half of 20 calls failing, not in a row, opens it
      const alternating = yield* Effect.forEach(
        Array.from({ length: 21 }, (_, i) => i),
        (i) => Effect.exit(HttpResilient.get(`http://ratio.test/${i}`))
      ).pipe(
        Effect.provide(HttpResilientTest.layer((_request, i) => HttpResilientTest.reply(i % 2 === 0 ? 200 : 503)))
      )
      assert.deepStrictEqual(
        alternating.map(failureTag),
        [...Array.from({ length: 20 }, (_, i) => i % 2 === 0 ? "ok" : "StatusError"), "CircuitOpenError"]
      )

      const env = {
        ...protectionVariables,
        HTTP_RESILIENT_RATE_LIMITER_LIMIT: "5",
        HTTP_RESILIENT_RATE_LIMITER_WINDOW: "1 second",
        HTTP_RESILIENT_RATE_LIMITER_ALGORITHM: "fixed-window"
      }
      const set = yield* optionsOf(env)
      const breaker = set.circuitBreaker as CircuitBreaker.CircuitBreakerOptions
      const strategy = breaker.strategy!
      assert.deepStrictEqual(
        strategy._tag === "Ratio"
          ? [strategy.threshold, strategy.minThroughput, Duration.toMillis(strategy.window)]
          : [],
        [0.25, 7, 30_000]
      )
      const millis = (d: Duration.DurationInput | undefined) => d === undefined ? undefined : Duration.toMillis(d)
      assert.deepStrictEqual(
        [millis(breaker.breakDuration), breaker.backoffFactor, millis(breaker.maxBreakDuration), breaker.probes],
        [2000, 2, 40_000, 3]
      )
      const bulkhead = set.bulkhead as Bulkhead.BulkheadOptions
      assert.deepStrictEqual(
        [bulkhead.maxConcurrent, bulkhead.maxQueue, millis(bulkhead.queueTimeout)],
        [4, 2, 50]
      )
      assert.deepStrictEqual(set.rateLimiter, {
        limit: 5,
        window: Duration.seconds(1),
        algorithm: "fixed-window"
      })
      const budget = set.retryBudget as RetryBudget.RetryBudgetOptions
      assert.deepStrictEqual([budget.ratio, millis(budget.window), budget.minRetriesPerSecond], [0.5, 20_000, 1.5])
      // the client made of them has that budget: a reserve of 1.5 retries a second over 20 s
      assert.strictEqual(yield* budgetOf(env), 30)

      // the switches: false turns a section off, true keeps its defaults
      const switches = {
        HTTP_RESILIENT_CIRCUIT_BREAKER: "false",
        HTTP_RESILIENT_BULKHEAD: "false",
        HTTP_RESILIENT_RATE_LIMITER: "false",
        HTTP_RESILIENT_RETRY_BUDGET: "false"
      }
      assert.deepStrictEqual(yield* optionsOf(switches), {
        circuitBreaker: false,
        bulkhead: false,
        rateLimiter: false,
        retryBudget: false
      })
      assert.strictEqual(yield* budgetOf(switches), Number.POSITIVE_INFINITY)
      const on = { HTTP_RESILIENT_BULKHEAD: "true", HTTP_RESILIENT_RETRY_BUDGET: "true" }
      assert.deepStrictEqual(yield* optionsOf(on), { bulkhead: {}, retryBudget: {} })
      assert.strictEqual(yield* budgetOf(on), 100)
    }))

  it.scoped("BULKHEAD_MAX_CONCURRENT=1: a second concurrent call is rejected (by default it goes through)", () =>
    Effect.gen(function*() {
      const { release, server } = yield* holdingServer
      const twoCalls = Effect.gen(function*() {
        const first = yield* Effect.fork(HttpResilient.get(`${server.url}/1`))
        yield* waitUntil(() => server.count() >= 1)
        const second = yield* Effect.fork(HttpResilient.get(`${server.url}/2`))
        yield* Effect.repeatN(Effect.yieldNow(), 20)
        yield* release
        return yield* Effect.forEach([first, second], Fiber.await)
      })
      const limited = yield* twoCalls.pipe(withEnv({ HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "1" }))
      assert.deepStrictEqual(limited.map(failureTag), ["ok", "BulkheadRejectedError"])
      assert.strictEqual(server.count(), 1)

      yield* waitUntil(() => server.count() === 1) // nothing more went out
      const free = yield* Effect.gen(function*() {
        const first = yield* Effect.fork(HttpResilient.get(`${server.url}/1`))
        const second = yield* Effect.fork(HttpResilient.get(`${server.url}/2`))
        yield* waitUntil(() => server.count() === 3)
        yield* release
        return yield* Effect.forEach([first, second], Fiber.await)
      }).pipe(withEnv({}))
      assert.deepStrictEqual(free.map(failureTag), ["ok", "ok"])
    }))

  it.effect("BULKHEAD_MAX_QUEUE and _QUEUE_TIMEOUT: one call waits in the queue, and times out on the Clock", () =>
    Effect.gen(function*() {
      const { exits, sent } = yield* Effect.gen(function*() {
        // /1 takes a second to answer
        const first = yield* Effect.fork(HttpResilient.get("http://api.test/1"))
        yield* settle
        const queued = yield* Effect.fork(HttpResilient.get("http://api.test/2"))
        yield* settle
        const full = yield* Effect.flip(HttpResilient.get("http://api.test/3"))
        assert.strictEqual(full._tag, "BulkheadRejectedError")
        assert.strictEqual((full as { reason?: string }).reason, "full")
        yield* TestClock.adjust("49 millis")
        assert.isNull(queued.unsafePoll())
        yield* TestClock.adjust("1 millis")
        const timedOut = yield* Effect.flip(Fiber.join(queued))
        yield* TestClock.adjust("1 second")
        return {
          exits: [yield* Fiber.await(first), timedOut] as const,
          sent: (yield* HttpResilientTest.requests).length
        }
      }).pipe(withEnvScripted({
        HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "1",
        HTTP_RESILIENT_BULKHEAD_MAX_QUEUE: "1",
        HTTP_RESILIENT_BULKHEAD_QUEUE_TIMEOUT: "50 millis"
      }, [HttpResilientTest.reply(200, { delay: "1 second" })]))
      assert.strictEqual(failureTag(exits[0]), "ok")
      assert.strictEqual(exits[1]._tag, "BulkheadRejectedError")
      assert.strictEqual((exits[1] as { reason?: string }).reason, "queue-timeout")
      assert.strictEqual(sent, 1)
    }))

  it.scoped("CIRCUIT_BREAKER=false: 30 straight 503s never open a breaker (by default they do)", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end()
      })
      const thirty = Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => Effect.exit(HttpResilient.get(`${server.url}/${i}`))
      ).pipe(Effect.map((exits) => exits.map(failureTag)))
      const off = yield* thirty.pipe(withEnv({ HTTP_RESILIENT_CIRCUIT_BREAKER: "false" }))
      assert.deepStrictEqual(off, Array(30).fill("StatusError"))
      const byDefault = yield* thirty.pipe(withEnv({}))
      assert.include(byDefault, "CircuitOpenError")
    }))

  it.scoped("CIRCUIT_BREAKER_THRESHOLD, _MIN_THROUGHPUT, _BREAK_DURATION: opens after 3 failures, for 2 seconds", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end()
      })
      const tags = yield* Effect.gen(function*() {
        const exits = yield* Effect.forEach(
          [1, 2, 3, 4],
          (i) => Effect.exit(HttpResilient.get(`${server.url}/${i}`))
        )
        const open = Cause.failureOption((exits[3] as Exit.Failure<unknown, any>).cause)
        const now = yield* TestClock.currentTimeMillis
        assert.strictEqual(open._tag === "Some" ? open.value.retryAt - now : undefined, 2000)
        return exits.map(failureTag)
      }).pipe(withEnv({
        HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD: "1",
        HTTP_RESILIENT_CIRCUIT_BREAKER_MIN_THROUGHPUT: "3",
        HTTP_RESILIENT_CIRCUIT_BREAKER_BREAK_DURATION: "2 seconds"
      }))
      assert.deepStrictEqual(tags, ["StatusError", "StatusError", "StatusError", "CircuitOpenError"])
      assert.strictEqual(server.count(), 3)
    }))

  it.scopedLive("RETRY_BUDGET=false: retries are never refused; RETRY_BUDGET_RATIO / _MIN_RETRIES_PER_SECOND / _WINDOW size it", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 503
        res.end()
      })
      const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("0 millis") })
      const call = Effect.exit(Effect.retry(HttpResilient.get(`${server.url}/`), policy)).pipe(Effect.map(failureTag))
      const calls = (n: number) => Effect.forEach(Array.from({ length: n }), () => call)
      const noBreaker = { HTTP_RESILIENT_CIRCUIT_BREAKER: "false" } // so that every call is retried

      // the default budget (10 retries a second over 10 s, plus 20 % of attempts) runs out within 60 calls of
      // 3 retries each
      assert.include(yield* calls(60).pipe(withEnv(noBreaker)), "RetryBudgetExhaustedError")
      const off = yield* calls(60).pipe(withEnv({ ...noBreaker, HTTP_RESILIENT_RETRY_BUDGET: "false" }))
      assert.deepStrictEqual(off, Array(60).fill("StatusError"))

      // no ratio and no reserve: the first retry is refused
      const before = server.count()
      const none = yield* call.pipe(withEnv({
        ...noBreaker,
        HTTP_RESILIENT_RETRY_BUDGET_RATIO: "0",
        HTTP_RESILIENT_RETRY_BUDGET_MIN_RETRIES_PER_SECOND: "0"
      }))
      assert.strictEqual(none, "RetryBudgetExhaustedError")
      assert.strictEqual(server.count() - before, 1)
      // a reserve of 1 a second over a 2 second window: two retries, then refused
      const two = server.count()
      const reserve = yield* call.pipe(withEnv({
        ...noBreaker,
        HTTP_RESILIENT_RETRY_BUDGET_RATIO: "0",
        HTTP_RESILIENT_RETRY_BUDGET_MIN_RETRIES_PER_SECOND: "1",
        HTTP_RESILIENT_RETRY_BUDGET_WINDOW: "2 seconds"
      }))
      assert.strictEqual(reserve, "RetryBudgetExhaustedError")
      assert.strictEqual(server.count() - two, 3)
    }))

  it.effect("RATE_LIMITER_LIMIT + _WINDOW turn a limiter on: the call past the quota waits on the Clock", () =>
    Effect.gen(function*() {
      const ok = [HttpResilientTest.reply(200, { body: "ok" })]
      yield* Effect.gen(function*() {
        yield* HttpResilient.get("http://api.test/1")
        const second = yield* Effect.fork(HttpResilient.get("http://api.test/2"))
        yield* TestClock.adjust("999 millis")
        assert.strictEqual((yield* HttpResilientTest.requests).length, 1)
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(second)
        assert.deepStrictEqual((yield* HttpResilientTest.requests).map((r) => r.at), [0, 1000])
      }).pipe(
        withEnvScripted({ HTTP_RESILIENT_RATE_LIMITER_LIMIT: "1", HTTP_RESILIENT_RATE_LIMITER_WINDOW: "1 second" }, ok)
      )

      // unset: no limiter, both go at once
      const start = yield* TestClock.currentTimeMillis
      const unset = yield* Effect.gen(function*() {
        yield* Effect.all([HttpResilient.get("http://api.test/3"), HttpResilient.get("http://api.test/4")])
        return (yield* HttpResilientTest.requests).map((r) => r.at - start)
      }).pipe(withEnvScripted({}, ok))
      assert.deepStrictEqual(unset, [0, 0])
    }))

  it.effect("RATE_LIMITER_ALGORITHM: a fixed window refills at its end, a token bucket one token at a time", () =>
    Effect.gen(function*() {
      const thirdSentAt = (algorithm: string | undefined) =>
        Effect.gen(function*() {
          const start = yield* TestClock.currentTimeMillis
          yield* HttpResilient.get("http://api.test/1")
          yield* HttpResilient.get("http://api.test/2")
          const third = yield* Effect.fork(HttpResilient.get("http://api.test/3"))
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(third)
          const sent = yield* HttpResilientTest.requests
          return sent[2].at - start
        }).pipe(withEnvScripted({
          HTTP_RESILIENT_RATE_LIMITER_LIMIT: "2",
          HTTP_RESILIENT_RATE_LIMITER_WINDOW: "1 second",
          ...(algorithm === undefined ? {} : { HTTP_RESILIENT_RATE_LIMITER_ALGORITHM: algorithm })
        }, [HttpResilientTest.reply(200)]))
      assert.strictEqual(yield* thirdSentAt(undefined), 500)
      assert.strictEqual(yield* thirdSentAt("fixed-window"), 1000)
    }))

  it.effect("a bad value names its variable, then the option, at the variable's config path", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.ResilientClientLive, {
        HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "0",
        HTTP_RESILIENT_BULKHEAD_QUEUE_TIMEOUT: "0 millis",
        HTTP_RESILIENT_CIRCUIT_BREAKER_PROBES: "0",
        HTTP_RESILIENT_CIRCUIT_BREAKER_BACKOFF_FACTOR: "0.5",
        HTTP_RESILIENT_RATE_LIMITER_LIMIT: "3",
        HTTP_RESILIENT_RATE_LIMITER_ALGORITHM: "leaky-bucket",
        HTTP_RESILIENT_RETRY_BUDGET_RATIO: "-1"
      })
      assert.deepStrictEqual(invalid(error).sort(), [
        "HTTP_RESILIENT.BULKHEAD.MAX_CONCURRENT: HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT (bulkhead.maxConcurrent): 0 is not an integer ≥ 1",
        "HTTP_RESILIENT.BULKHEAD.QUEUE_TIMEOUT: HTTP_RESILIENT_BULKHEAD_QUEUE_TIMEOUT (bulkhead.queueTimeout): 0 is not a finite duration of at least 1 millisecond (e.g. \"5 seconds\" or 5000)",
        "HTTP_RESILIENT.CIRCUIT_BREAKER.BACKOFF_FACTOR: HTTP_RESILIENT_CIRCUIT_BREAKER_BACKOFF_FACTOR (circuitBreaker.backoffFactor): 0.5 is not a number from 1 to 100",
        "HTTP_RESILIENT.CIRCUIT_BREAKER.PROBES: HTTP_RESILIENT_CIRCUIT_BREAKER_PROBES (circuitBreaker.probes): 0 is not an integer ≥ 1",
        "HTTP_RESILIENT.RATE_LIMITER.ALGORITHM: HTTP_RESILIENT_RATE_LIMITER_ALGORITHM (rateLimiter.algorithm): \"leaky-bucket\" is not \"token-bucket\" or \"fixed-window\"",
        "HTTP_RESILIENT.RATE_LIMITER.WINDOW: HTTP_RESILIENT_RATE_LIMITER_WINDOW (rateLimiter.window): \"limit\" and \"window\" go together (got a limit without a window)",
        "HTTP_RESILIENT.RETRY_BUDGET.RATIO: HTTP_RESILIENT_RETRY_BUDGET_RATIO (retryBudget.ratio): -1 is not a number from 0 to 1000"
      ])
    }))

  it.effect("the ratio strategy's knobs are checked by CircuitBreaker.ratio as they are read, each naming its variable", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig("MY_HTTP"), {
        MY_HTTP_CIRCUIT_BREAKER_THRESHOLD: "2",
        MY_HTTP_CIRCUIT_BREAKER_MIN_THROUGHPUT: "0",
        MY_HTTP_CIRCUIT_BREAKER_WINDOW: "10 seconds"
      })
      assert.deepStrictEqual(invalid(error), [
        "MY_HTTP.CIRCUIT_BREAKER.THRESHOLD: MY_HTTP_CIRCUIT_BREAKER_THRESHOLD (CircuitBreaker.ratio threshold): 2 is not a share in (0, 1]",
        "MY_HTTP.CIRCUIT_BREAKER.MIN_THROUGHPUT: MY_HTTP_CIRCUIT_BREAKER_MIN_THROUGHPUT (CircuitBreaker.ratio minThroughput): 0 is not an integer ≥ 1"
      ])
    }))

  it.effect("with no prefix a section's variable is SECTION_KEY; a value that does not parse is Config's error", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig(""), { BULKHEAD_MAX_QUEUE: "-1" })
      assert.deepStrictEqual(invalid(error), [
        "BULKHEAD.MAX_QUEUE: BULKHEAD_MAX_QUEUE (bulkhead.maxQueue): -1 is not an integer ≥ 0"
      ])
      const unparsed = yield* buildError(ResilientClient.ResilientClientLive, {
        HTTP_RESILIENT_BULKHEAD_MAX_QUEUE: "many"
      })
      assert.strictEqual(invalid(unparsed).length, 1)
      assert.match(invalid(unparsed)[0], /^HTTP_RESILIENT\.BULKHEAD\.MAX_QUEUE: /)
      const switchUnparsed = yield* buildError(ResilientClient.ResilientClientLive, {
        HTTP_RESILIENT_BULKHEAD: "maybe"
      })
      assert.match(invalid(switchUnparsed)[0], /^HTTP_RESILIENT\.BULKHEAD: /)
    }))

  it.effect("a section switched off beside its settings is a ConfigError naming them all", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.ResilientClientLive, {
        HTTP_RESILIENT_BULKHEAD: "false",
        HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "1",
        HTTP_RESILIENT_BULKHEAD_QUEUE_TIMEOUT: "1 second",
        HTTP_RESILIENT_RETRY_BUDGET: "false",
        HTTP_RESILIENT_RETRY_BUDGET_RATIO: "0.1"
      })
      assert.deepStrictEqual(invalid(error), [
        "HTTP_RESILIENT.BULKHEAD: HTTP_RESILIENT_BULKHEAD (bulkhead): false turns the bulkhead off, which conflicts with HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT, HTTP_RESILIENT_BULKHEAD_QUEUE_TIMEOUT; unset one or the other",
        "HTTP_RESILIENT.RETRY_BUDGET: HTTP_RESILIENT_RETRY_BUDGET (retryBudget): false turns the retryBudget off, which conflicts with HTTP_RESILIENT_RETRY_BUDGET_RATIO; unset one or the other"
      ])
      for (const [section, setting] of [["CIRCUIT_BREAKER", "PROBES"], ["RATE_LIMITER", "LIMIT"]]) {
        const conflict = yield* buildError(ResilientClient.ResilientClientLive, {
          [`HTTP_RESILIENT_${section}`]: "false",
          [`HTTP_RESILIENT_${section}_${setting}`]: "2"
        })
        assert.match(invalid(conflict)[0], new RegExp(`conflicts with HTTP_RESILIENT_${section}_${setting};`))
      }
    }))

  it.scopedLive("a section given in overrides replaces the environment's whole section, bad values included", () =>
    Effect.gen(function*() {
      const env = {
        HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "0",
        HTTP_RESILIENT_BULKHEAD_MAX_QUEUE: "3",
        HTTP_RESILIENT_CIRCUIT_BREAKER: "false",
        HTTP_RESILIENT_RETRY_BUDGET_RATIO: "0.5",
        // the classic budget, so that failed first attempts earn their share too
        HTTP_RESILIENT_RETRY_BUDGET_ADAPTIVE: "false"
      }
      const overrides: ResilientClient.ClientOptions = {
        bulkhead: { maxConcurrent: 5 },
        circuitBreaker: { probes: 2, breakDuration: "50 millis" }
      }
      // 20 calls fail (the default ratio strategy opens at the 20th), then every call is held until released
      let n = 0
      const held: Array<http.ServerResponse> = []
      const server = yield* serverScoped((_req, res) => {
        if (++n <= 20) return void res.writeHead(503).end()
        held.push(res)
      })
      const release = Effect.sync(() => {
        for (const res of held.splice(0)) res.end("ok")
      })
      yield* Effect.gen(function*() {
        // the environment's ratio (0.5, the reserve 10 × 10 s): 20 first attempts add 10 retries to the reserve of 100
        const exits = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => Effect.exit(HttpResilient.get(`${server.url}/fail/${i}`))
        )
        assert.deepStrictEqual(exits.map(failureTag), Array(20).fill("StatusError"))
        assert.strictEqual(yield* RetryBudget.available, 110)
        // the breaker is on although the environment turns it off: the overrides' section replaced it
        const open = yield* Effect.flip(HttpResilient.get(`${server.url}/open`))
        assert.strictEqual(open._tag, "CircuitOpenError")
        yield* Effect.sleep("100 millis")
        // half-open: probes 2 (from the overrides) go, a third is rejected
        const probes = yield* Effect.forEach([1, 2], (i) => Effect.fork(HttpResilient.get(`${server.url}/probe/${i}`)))
        yield* waitUntil(() => held.length === 2)
        const third = yield* Effect.flip(HttpResilient.get(`${server.url}/probe/3`))
        assert.isTrue(third._tag === "CircuitOpenError" && third.state === "half-open")
        yield* release
        yield* Effect.forEach(probes, Fiber.join)
        // the bulkhead is the overrides' whole section: 5 at once (the environment's 0 is not read) and no queue
        // (the environment's 3 is not merged in)
        const five = yield* Effect.forEach(
          [1, 2, 3, 4, 5],
          (i) => Effect.fork(HttpResilient.get(`${server.url}/held/${i}`))
        )
        yield* waitUntil(() => held.length === 5)
        const sixth = yield* Effect.flip(HttpResilient.get(`${server.url}/held/6`))
        assert.isTrue(sixth._tag === "BulkheadRejectedError" && sixth.reason === "full")
        yield* release
        yield* Effect.forEach(five, Fiber.join)
      }).pipe(withEnv(env, overrides))
      const off = yield* Effect.gen(function*() {
        const first = yield* HttpResilient.get(`${server.url}/a`).pipe(Effect.fork)
        const second = yield* HttpResilient.get(`${server.url}/b`).pipe(Effect.fork)
        yield* waitUntil(() => held.length === 2)
        yield* release
        return yield* Effect.forEach([first, second], Fiber.await)
      }).pipe(withEnv({
        HTTP_RESILIENT_RATE_LIMITER_LIMIT: "1",
        HTTP_RESILIENT_RATE_LIMITER_WINDOW: "1 minute"
      }, {
        rateLimiter: false
      }))
      // no limiter: both went at once, although the environment's quota is one call a minute
      assert.deepStrictEqual(off.map(failureTag), ["ok", "ok"])
      // an override's own bad value names the option, not a variable
      const error = yield* buildError(
        ResilientClient.layerConfig("HTTP_RESILIENT", { bulkhead: { maxQueue: -1 } }),
        env
      )
      assert.deepStrictEqual(invalid(error), ["bulkhead.maxQueue: bulkhead.maxQueue: -1 is not an integer ≥ 0"])
    }))

  it.scopedLive("what is given in overrides is not read from the environment at all: even unparsable or conflicting", () =>
    Effect.gen(function*() {
      const held: Array<http.ServerResponse> = []
      const server = yield* serverScoped((req, res) => {
        if (req.url?.startsWith("/many/")) return void res.writeHead(503).end()
        held.push(res)
      })
      const env = {
        HTTP_RESILIENT_MAX_CONNECTIONS: "many",
        HTTP_RESILIENT_BULKHEAD: "false",
        HTTP_RESILIENT_BULKHEAD_MAX_CONCURRENT: "1",
        HTTP_RESILIENT_CIRCUIT_BREAKER_THRESHOLD: "2",
        HTTP_RESILIENT_RATE_LIMITER: "maybe"
      }
      const overrides: ResilientClient.ClientOptions = {
        maxConnections: 2,
        bulkhead: { maxConcurrent: 3 },
        circuitBreaker: false,
        rateLimiter: false
      }
      const outcome = yield* Effect.gen(function*() {
        // the bulkhead is the overrides' (3 at once), not off and not 1
        const three = yield* Effect.forEach([1, 2, 3], (i) => Effect.fork(HttpResilient.get(`${server.url}/${i}`)))
        yield* waitUntil(() => held.length >= 2)
        const fourth = yield* Effect.flip(HttpResilient.get(`${server.url}/4`))
        const answerAll = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
          Effect.gen(function*() {
            while (fibers.some((fiber) => fiber.unsafePoll() === null)) {
              for (const res of held.splice(0)) res.writeHead(503).end()
              yield* Effect.sleep("5 millis")
            }
          })
        yield* answerAll(three)
        const exits = yield* Effect.forEach(three, Fiber.await)
        // no breaker and no limiter: 30 straight 503s, each sent
        const many = yield* Effect.forEach(
          Array.from({ length: 30 }, (_, i) => i),
          (i) => Effect.exit(HttpResilient.get(`${server.url}/many/${i}`))
        )
        return { fourth, exits: exits.map(failureTag), many: many.map(failureTag) }
      }).pipe(withEnv(env, overrides))
      assert.isTrue(outcome.fourth._tag === "BulkheadRejectedError" && outcome.fourth.reason === "full")
      assert.deepStrictEqual(outcome.exits, ["StatusError", "StatusError", "StatusError"])
      assert.deepStrictEqual(outcome.many, Array(30).fill("StatusError"))
    }))
})
