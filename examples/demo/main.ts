/**
 * `npm run demo`: five short scenarios against an embedded flaky server on 127.0.0.1, each printed as a
 * timeline — attempt, time, status, the delay chosen and why.
 *
 *   npm run demo                         all scenarios
 *   npm run demo -- --scenario breaker   one of: backoff, retry-after, breaker, budget, hedging
 *
 * Colour on a terminal; plain text with NO_COLOR or when piped. Exits non-zero if a scenario misbehaves.
 */
import { Duration, Effect, Layer } from "effect"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  type HttpResilientError,
  ResilientClient,
  RetryPolicy
} from "../../src/index.js"
import { type FlakyServer, startFlakyServer } from "./server.js"
import { bold, cyan, dim, green, red } from "./style.js"
import { printTimeline } from "./timeline.js"

interface Check {
  readonly name: string
  readonly ok: boolean
}

interface Scenario {
  readonly name: string
  readonly title: string
  readonly story: string
  readonly run: (server: FlakyServer) => Effect.Effect<ReadonlyArray<Check>, unknown>
}

const check = (name: string, ok: boolean): Check => ({ name, ok })
const client = (options: ResilientClient.ClientOptions = {}) => Layer.orDie(ResilientClient.layer(options))
const errorTag = (e: HttpResilientError.HttpResilientError) => e._tag
const now = () => performance.now()

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

// ---------------------------------------------------------------------------

const backoff: Scenario = {
  name: "backoff",
  title: "Exponential backoff with full jitter",
  story: "The server fails the first 3 attempts with 503. The policy waits 0–50, 0–100, 0–200 ms (full jitter).",
  run: (server) =>
    Effect.gen(function*() {
      const start = now()
      yield* printTimeline(start)
      const policy = RetryPolicy.make({
        retries: 4,
        backoff: Backoff.exponential({ base: "50 millis" }).pipe(Backoff.fullJitter)
      })
      const response = yield* HttpResilient.get(`${server.url}/flaky?id=backoff&fail=3`).pipe(Effect.retry(policy))
      const body = (yield* response.json) as { attempt: number }
      yield* Effect.sleep("20 millis")
      return [
        check("succeeded on the 4th attempt", response.status === 200 && body.attempt === 4),
        check("the server saw exactly 4 requests", server.hits.get("/flaky") === 4)
      ]
    }).pipe(Effect.scoped, Effect.provide(client({ circuitBreaker: false })))
}

const retryAfter: Scenario = {
  name: "retry-after",
  title: "Retry-After honoured, and a too-long one refused",
  story: "A 503 with Retry-After: 1 replaces the backoff exactly. Then Retry-After: 120 exceeds maxRetryAfter " +
    "(60 s): the call fails at once instead of sleeping two minutes.",
  run: (server) =>
    Effect.gen(function*() {
      const start = now()
      yield* printTimeline(start)
      const policy = RetryPolicy.make({ retries: 3, maxRetryAfter: "60 seconds" })
      const t0 = now()
      const response = yield* HttpResilient.get(`${server.url}/retry-after?id=1`).pipe(Effect.retry(policy))
      const waited = now() - t0
      const t1 = now()
      const refused = yield* HttpResilient.get(`${server.url}/retry-after-too-long`).pipe(
        Effect.retry(policy),
        Effect.flip
      )
      const refusedIn = now() - t1
      yield* Effect.sleep("10 millis") // let the timeline catch up
      console.log(
        dim(
          `    waited ${Math.round(waited)} ms for Retry-After: 1; refused the 120 s wait in ${
            Math.round(refusedIn)
          } ms`
        )
      )
      return [
        check(
          "the retry came after the server's 1 s, not the 100 ms backoff",
          response.status === 200 && waited >= 1000
        ),
        check(
          "Retry-After: 120 failed at once with RetryAfterTooLongError",
          errorTag(refused) === "RetryAfterTooLongError" && refusedIn < 500
        ),
        check("the too-long one cost a single request", server.hits.get("/retry-after-too-long") === 1)
      ]
    }).pipe(Effect.scoped, Effect.provide(client({ circuitBreaker: false })))
}

const breaker: Scenario = {
  name: "breaker",
  title: "The circuit breaker opens, probes half-open, and closes",
  story: "consecutive(3), break 500 ms. Three 503s open it; the next calls fail at once without reaching the server. " +
    "After the break, one probe goes through; the service is back, so it closes.",
  run: (server) =>
    Effect.gen(function*() {
      const start = now()
      yield* printTimeline(start, (e) => e._tag !== "RequestStarted")
      server.down = true
      const call = HttpResilient.get(`${server.url}/service`).pipe(Effect.either)
      for (let i = 0; i < 3; i++) yield* call
      const hitsWhenOpen = server.hits.get("/service") ?? 0
      const rejected = yield* Effect.forEach(Array.from({ length: 5 }), () => call)
      const state = yield* ResilientClient.circuitState(server.url)
      const hitsAfterRejections = server.hits.get("/service") ?? 0
      yield* Effect.sleep("10 millis") // let the timeline catch up
      console.log(
        dim(`    5 calls while open: ${rejected.map((r) => (r._tag === "Left" ? r.left._tag : "ok")).join(", ")}`)
      )
      yield* Effect.sleep("550 millis")
      server.down = false
      const probe = yield* call
      const closed = yield* ResilientClient.circuitState(server.url)
      yield* Effect.sleep("20 millis")
      return [
        check("opened after 3 failures", state === "open" && hitsWhenOpen === 3),
        check(
          "while open, calls fail with CircuitOpenError and the server sees none",
          rejected.every((r) => r._tag === "Left" && r.left._tag === "CircuitOpenError") && hitsAfterRejections === 3
        ),
        check("the half-open probe's 200 closed it", probe._tag === "Right" && closed === "closed")
      ]
    }).pipe(
      Effect.scoped,
      Effect.provide(
        client({ circuitBreaker: { strategy: CircuitBreaker.consecutive(3), breakDuration: "500 millis" } })
      )
    )
}

const budget: Scenario = {
  name: "budget",
  title: "An outage, with and without the retry budget",
  story: "1,000 calls, each retried up to 3 times, against a server that answers 503 to everything. " +
    "Without a budget every call costs 4 requests; the default budget follows the origin's health, so a failing origin gets little more than its reserve of retries.",
  run: (server) =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("2 millis") })
      const outage = (layer: Layer.Layer<ResilientClient.ResilientClient>) =>
        Effect.gen(function*() {
          const before = server.hits.get("/outage") ?? 0
          const results = yield* Effect.forEach(
            Array.from({ length: 1000 }, (_, i) => i),
            (i) => HttpResilient.get(`${server.url}/outage?i=${i}`).pipe(Effect.retry(policy), Effect.either),
            { concurrency: 50 }
          ).pipe(Effect.provide(layer))
          const requests = (server.hits.get("/outage") ?? 0) - before
          const refusedByBudget = results.filter((r) =>
            r._tag === "Left" && r.left._tag === "RetryBudgetExhaustedError"
          )
          return { perCall: requests / 1000, refusedByBudget: refusedByBudget.length }
        })
      const without = yield* outage(client({ retryBudget: false, circuitBreaker: false }))
      const withBudget = yield* outage(client({ circuitBreaker: false }))
      console.log(`    ${bold("server requests per call")}`)
      console.log(`      without a budget   ${red(without.perCall.toFixed(2))}`)
      console.log(
        `      default budget     ${green(withBudget.perCall.toFixed(2))}  ${
          dim(`(${withBudget.refusedByBudget} calls ended with RetryBudgetExhaustedError)`)
        }`
      )
      return [
        check("without a budget the outage is amplified 4×", without.perCall > 3.9),
        check("with the default budget it stays under 1.5×", withBudget.perCall <= 1.5)
      ]
    })
}

const hedging: Scenario = {
  name: "hedging",
  title: "Hedging cuts the tail",
  story: "1 request in 20 takes 600 ms, the rest ~1 ms. With hedge({ delay: 50 ms }) a second copy goes out " +
    "when the first is slow; the first answer wins and the other is aborted.",
  run: (server) =>
    Effect.gen(function*() {
      const measure = (hedged: boolean) =>
        Effect.gen(function*() {
          const before = server.hits.get("/slow-tail") ?? 0
          const latencies = yield* Effect.forEach(
            Array.from({ length: 200 }, (_, i) => i),
            (i) => {
              const call = HttpResilient.get(`${server.url}/slow-tail?id=${i}`)
              const t = now()
              return (hedged ? call.pipe(HttpResilient.hedge({ delay: "50 millis" })) : call).pipe(
                Effect.map(() => now() - t)
              )
            },
            { concurrency: 10 }
          )
          const requests = (server.hits.get("/slow-tail") ?? 0) - before
          return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), extra: requests / 200 - 1 }
        })
      const plain = yield* measure(false)
      const hedged = yield* measure(true)
      const row = (name: string, r: typeof plain) =>
        `      ${name.padEnd(14)} p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${
          r.p99.toFixed(1).padStart(6)
        } ms   extra requests ${(r.extra * 100).toFixed(1)} %`
      console.log(row("no hedging", plain))
      console.log(row("hedged 50 ms", hedged))
      return [
        check("p99 falls at least 4×", hedged.p99 * 4 <= plain.p99),
        check("at most 15 % extra requests", hedged.extra <= 0.15)
      ]
    }).pipe(Effect.provide(client({ circuitBreaker: false })))
}

const scenarios: ReadonlyArray<Scenario> = [backoff, retryAfter, breaker, budget, hedging]

// ---------------------------------------------------------------------------

const main = async () => {
  const i = process.argv.indexOf("--scenario")
  const only = i >= 0 ? process.argv[i + 1] : undefined
  const chosen = only === undefined ? scenarios : scenarios.filter((s) => s.name === only)
  if (chosen.length === 0) {
    console.error(`unknown scenario "${only}"; choose one of: ${scenarios.map((s) => s.name).join(", ")}`)
    process.exit(2)
  }
  let failures = 0
  const started = now()
  for (const scenario of chosen) {
    const server = await startFlakyServer()
    console.log(`\n${bold(cyan(`▶ ${scenario.title}`))}  ${dim(`(--scenario ${scenario.name})`)}`)
    console.log(dim(`  ${scenario.story}`))
    try {
      const checks = await Effect.runPromise(scenario.run(server).pipe(Effect.timeout("20 seconds")))
      for (const c of checks) {
        console.log(`  ${c.ok ? green("✓") : red("✗")} ${c.name}`)
        if (!c.ok) failures++
      }
    } catch (error) {
      failures++
      console.log(`  ${red("✗")} the scenario failed: ${String(error)}`)
    } finally {
      await server.close()
    }
  }
  const seconds = Duration.format(Duration.millis(Math.round(now() - started)))
  console.log(
    failures === 0
      ? `\n${green(bold("All scenarios behaved."))} ${dim(seconds)}`
      : `\n${red(bold(`${failures} check(s) failed.`))}`
  )
  process.exit(failures === 0 ? 0 : 1)
}

main()
