/**
 * What retrying costs on the happy path (the first attempt succeeds), pipeline only: the transport answers at once,
 * so the numbers are the client's and Effect's own CPU per call.
 *
 *   npx tsx test/RetryPolicy.bench.ts
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { instantClient } from "../bench/instantClient.js"
import { HttpResilient, type ResilientClient, RetryPolicy } from "../src/index.js"

const calls = 100_000
const rounds = 5
const best: Record<string, number> = {}

const measure = (label: string, call: Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>) =>
  Effect.gen(function*() {
    for (let i = 0; i < calls / 10; i++) yield* call
    const start = performance.now()
    for (let i = 0; i < calls; i++) yield* call
    const micros = ((performance.now() - start) * 1000) / calls
    best[label] = Math.min(best[label] ?? Infinity, micros)
  })

const url = "http://bench.test/x"
const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>]> = [
  ["get", HttpResilient.get(url)],
  ["get |> Effect.retry(Schedule.recurs(3))", HttpResilient.get(url).pipe(Effect.retry(Schedule.recurs(3)))],
  ["get |> Effect.retry(RetryPolicy.default)", HttpResilient.get(url).pipe(Effect.retry(RetryPolicy.default))],
  ["get { retry: Schedule.recurs(3) }", HttpResilient.get(url, { retry: Schedule.recurs(3) })],
  ["get { retry: RetryPolicy.default }", HttpResilient.get(url, { retry: RetryPolicy.default })]
]

const program = Effect.gen(function*() {
  for (let round = 0; round < rounds; round++) {
    for (const [label, call] of cases) yield* measure(label, call)
  }
})

Effect.runPromise(Effect.provide(program, instantClient)).then(() => {
  for (const [label, micros] of Object.entries(best)) {
    console.log(`${label.padEnd(45)} ${micros.toFixed(2)} µs/call (best of ${rounds} × ${calls})`)
  }
})
