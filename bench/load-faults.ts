/**
 * Load under faults: 10,000 requests at concurrency 256 against a loopback server where 10 % of the
 * answers are faults (4 % 503, 3 % resets, 3 % stalled bodies). Every call must end in a success or a
 * typed HttpResilientError (no defect, no unhandled rejection), and RSS must come back within 10 % of its
 * baseline after GC.
 *
 *   node --expose-gc --import tsx bench/load-faults.ts [--requests 10000] [--concurrency 256]
 */
import { Cause, Effect, Exit, Schedule } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { HttpResilient, HttpResilientError, ResilientClient } from "../src/index.js"
import { mixedFaults } from "../test/support/mixedFaults.js"

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const requests = arg("requests", 10_000)
const concurrency = arg("concurrency", 256)
const gc = (globalThis as { gc?: () => void }).gc
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
const settle = async () => {
  for (let i = 0; i < 5; i++) {
    gc?.()
    await new Promise((r) => setTimeout(r, 50))
  }
  return process.memoryUsage().rss
}

const server = http.createServer(mixedFaults())
await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const tally: Record<string, number> = {}
const unhandled: Array<unknown> = []
process.on("unhandledRejection", (e) => unhandled.push(e))

const run = (count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    (i) =>
      HttpResilient.get(`${url}/${i}`).pipe(
        Effect.retry(Schedule.recurs(2).pipe(Schedule.whileInput(HttpResilientError.isTransient))),
        Effect.exit,
        Effect.map((exit) => {
          const key = Exit.isSuccess(exit)
            ? "success"
            : Cause.failureOption(exit.cause).pipe((o) => (o._tag === "Some" ? o.value._tag : "DEFECT"))
          tally[key] = (tally[key] ?? 0) + 1
        })
      ),
    { concurrency, discard: true }
  ).pipe(Effect.provide(ResilientClient.layer({ timeout: "300 millis", maxConnections: concurrency })))

if (!gc) console.log("(run with node --expose-gc for a settled RSS baseline)")
// warm-up, then the baseline
await Effect.runPromise(run(1_000))
for (const k of Object.keys(tally)) delete tally[k]
const baseline = await settle()
const started = performance.now()
await Effect.runPromise(run(requests))
const elapsed = performance.now() - started
const after = await settle()
server.close()

const total = Object.values(tally).reduce((a, b) => a + b, 0)
const growth = (after - baseline) / baseline
console.log(`requests: ${requests} at concurrency ${concurrency} in ${(elapsed / 1000).toFixed(1)} s`)
console.log(`outcomes: ${JSON.stringify(tally)}`)
console.log(`RSS baseline ${mb(baseline)}, after ${mb(after)} (${(growth * 100).toFixed(1)} %)`)
const checks = [
  ["every call ended (success or typed error)", total === requests],
  ["no defects", !tally.DEFECT],
  ["no unhandled rejections", unhandled.length === 0],
  ["RSS within 10 % of baseline after GC", growth < 0.1]
] as const
let failed = false
for (const [name, ok] of checks) {
  console.log(`${ok ? "PASS" : "FAIL"}  ${name}`)
  failed ||= !ok
}
process.exit(failed ? 1 : 0)
