/**
 * The benchmark: `npm run bench` (a few minutes) or `npm run bench -- --quick` (about a minute).
 * Measures ours as `tsc` builds it (bench/lib.ts: built into bench/.tmp/build when the source changed); `--source`
 * measures the TypeScript source through tsx instead.
 * Starts nginx (core 0), one process per client (core 1), runs every scenario, prints each target as
 * PASS/FAIL/SKIP with its figure and writes `bench/RESULTS.md` and `bench/results.svg`. Last, the Effect v4
 * edition's bench (`npm run bench:v4`, under Node 22) adds its section; `--no-v4` leaves it out.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { chart, faultCurveChart } from "./chart.js"
import { benchBackoffMillis, type ClientDefinition, clients, hasRetryPolicy, hasStreamVerb } from "./clients.js"
import { type InMemoryCost, type InMemoryCosts, measureInMemory } from "./inMemory.js"
import { libDescription } from "./lib.js"
import {
  curveLines,
  fullSettings,
  quickSettings,
  resilienceReport,
  type ResilienceResults,
  resilienceTargets,
  runResilience
} from "./resilience.js"
import type { OutageRow, ThroughputRow } from "./rows.js"
import * as Server from "./server.js"
import {
  check,
  fmt,
  markdown,
  median,
  rate,
  startBench,
  type Target,
  throughputCells,
  throughputHeader,
  throughputRounds,
  throughputRun
} from "./stats.js"
import { children, startWorker, withFreshWorker, type Worker } from "./workers.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")
const quick = process.argv.includes("--quick")
/**
 * `--throughput=undici,ours,...`: only the throughput table, for the named clients (raw undici always), printed and
 * not written to RESULTS.md: a quick before/after check of a speed change.
 */
const throughputOnly = process.argv.find((a) => a.startsWith("--throughput="))?.slice("--throughput=".length)

const settings = quick
  ? {
    rounds: 4,
    warmup: 1_000,
    c1: { count: 300, maxMillis: 300 },
    c64: { count: 2_000, maxMillis: 600 },
    outageCalls: 2_000,
    soak: { warmup: 10_000, count: 30_000, maxMillis: 15_000 }
  }
  : {
    rounds: 9,
    warmup: 5_000,
    c1: { count: 1_000, maxMillis: 600 },
    c64: { count: 8_000, maxMillis: 1_500 },
    outageCalls: 5_000,
    soak: { warmup: 40_000, count: 200_000, maxMillis: 90_000 }
  }
const retries = 3

// ---------------------------------------------------------------------------
// statistics
// ---------------------------------------------------------------------------

const mb = (bytes: number) => bytes / (1024 * 1024)
const log = (line: string) => console.log(line)

// ---------------------------------------------------------------------------
// scenarios
// ---------------------------------------------------------------------------

const throughput = async (workers: ReadonlyArray<Worker>, origin: string): Promise<Array<ThroughputRow>> => {
  const url = `${origin}/ok`
  log(`throughput: warming up ${workers.length} clients`)
  for (const w of workers) {
    await w.run({ type: "throughput", url, concurrency: 64, count: settings.warmup, maxMillis: 5_000 })
  }
  const reference = workers.find((w) => w.definition.name === "undici")!
  const statsOf = await throughputRounds(workers, settings.rounds, {
    keyOf: (w) => w.definition.name,
    referenceOf: (w) => w === reference ? undefined : reference,
    run: throughputRun(url, (concurrency) => concurrency === 1 ? settings.c1 : settings.c64)
  }, log)
  return workers.map((w) => ({ name: w.definition.name, label: w.definition.label, byConcurrency: statsOf(w) }))
}

/** Ratio of one client's throughput to another's: per round, each against its own raw undici run; the median. */
const ratioBetween = (rows: ReadonlyArray<ThroughputRow>, a: string, b: string, concurrency: number): number => {
  const ra = rows.find((r) => r.name === a)?.byConcurrency[concurrency]
  const rb = rows.find((r) => r.name === b)?.byConcurrency[concurrency]
  return ra === undefined || rb === undefined ? NaN : median(ra.ratios.map((x, i) => x / rb.ratios[i]))
}

const outage = async (workers: ReadonlyArray<Worker>, server: Server.Server): Promise<Array<OutageRow>> => {
  const rows: Array<OutageRow> = []
  for (const w of workers) {
    const byShare: OutageRow["byShare"] = {}
    let supported = true
    for (const [share, p] of [["100%", "/503"], ["30%", "/flaky"]] as const) {
      const before = server.countedLines().length
      const result = await w.run({
        type: "retries",
        url: `${server.origin}${p}`,
        retries,
        calls: settings.outageCalls,
        concurrency: 64,
        maxMillis: 30_000
      })
      if (result.type !== "retries" || result.outcome === undefined) {
        supported = false
        break
      }
      const calls = result.outcome.ok + result.outcome.failed
      const served = server.countedLines().length - before
      byShare[share] = { amplification: served / calls, failed: result.outcome.failed, calls }
    }
    if (!supported) continue
    const definition = clients.find((c) => c.name === w.definition.name)!
    const instanceLabel = await labelOf(definition)
    rows.push({ name: w.definition.name, label: w.definition.label, retryLabel: instanceLabel, byShare })
    log(`outage: ${w.definition.name} ${fmt(byShare["100%"].amplification)}× / ${fmt(byShare["30%"].amplification)}×`)
  }
  return rows
}

const labels = new Map<string, string>()
const labelOf = async (definition: ClientDefinition): Promise<string> => {
  if (!labels.has(definition.name)) {
    const instance = await definition.make()
    labels.set(definition.name, instance.retryLabel ?? "")
    await instance.close()
  }
  return labels.get(definition.name)!
}

export interface RetryAfterRow {
  readonly name: string
  readonly label: string
  /** the gap the server saw between the first request and the retry, in ms; NaN when there was no retry */
  readonly gapMillis: number
  readonly honoured: boolean
}

const retryAfter = async (workers: ReadonlyArray<Worker>, server: Server.Server): Promise<Array<RetryAfterRow>> => {
  const rows: Array<RetryAfterRow> = []
  for (const w of workers) {
    const before = server.countedLines().length
    const result = await w.run({
      type: "retries",
      url: `${server.origin}/retry-after`,
      retries: 1,
      calls: 1,
      concurrency: 1,
      maxMillis: 10_000
    })
    if (result.type !== "retries" || result.outcome === undefined) continue
    const lines = server.countedLines().slice(before)
    const gapMillis = lines.length >= 2 ? (lines[1].time - lines[0].time) * 1000 : NaN
    rows.push({
      name: w.definition.name,
      label: w.definition.label,
      gapMillis,
      honoured: gapMillis >= 950 && gapMillis <= 1_500
    })
    log(`retry-after: ${w.definition.name} gap ${fmt(gapMillis, 0)} ms`)
  }
  return rows
}

export interface SoakRow {
  readonly name: string
  readonly requests: number
  readonly failed: number
  readonly rssStart: number
  readonly rssEnd: number
  readonly samples: ReadonlyArray<number>
  readonly heapStart: number
  readonly heapEnd: number
  readonly rps: number
}

const soak = async (workers: ReadonlyArray<Worker>, origin: string): Promise<Array<SoakRow>> => {
  const rows: Array<SoakRow> = []
  for (const w of workers) {
    if (!["undici", "ours", "ours+policy"].includes(w.definition.name)) continue
    const result = await w.run({ type: "soak", url: `${origin}/ok`, concurrency: 64, ...settings.soak })
    if (result.type !== "soak") continue
    rows.push({
      name: w.definition.name,
      requests: result.outcome.ok + result.outcome.failed,
      failed: result.outcome.failed,
      rssStart: result.rssStart,
      rssEnd: result.rssEnd,
      samples: result.samples,
      heapStart: result.heapStart,
      heapEnd: result.heapEnd,
      rps: rate(result.outcome)
    })
    log(`soak: ${w.definition.name} RSS ${fmt(mb(result.rssStart), 1)} → ${fmt(mb(result.rssEnd), 1)} MB`)
  }
  return rows
}

export interface BigRow {
  readonly name: string
  readonly mode: "streamed" | "buffered"
  readonly baseline: number
  readonly peakAbove: number
  readonly ok: boolean
}

const big = async (origin: string): Promise<Array<BigRow>> => {
  const rows: Array<BigRow> = []
  for (const definition of clients) {
    if (definition.name !== "undici" && definition.name !== "ours") continue
    for (const mode of ["streamed", "buffered"] as const) {
      const result = await withFreshWorker(
        definition,
        (w) => w.run({ type: "big", url: `${origin}/big`, mode, warmUrl: `${origin}/ok` })
      )
      if (result.type !== "big") continue
      rows.push({
        name: definition.name,
        mode,
        baseline: result.baseline,
        peakAbove: result.peak - result.baseline,
        ok: result.ok
      })
      log(`big: ${definition.name} ${mode} peak +${fmt(mb(result.peak - result.baseline), 1)} MB`)
    }
  }
  return rows
}

// ---------------------------------------------------------------------------
// targets
// ---------------------------------------------------------------------------

const skip = (name: string, why: string): Target => ({ name, verdict: "SKIP", figure: why })

/** The client's own work per call with no I/O (bench/inMemory.ts), as the speed targets' figures quote it. */
const whyCpu = (get: InMemoryCost): string =>
  `the client's own work per call with no I/O (its pipeline over a transport that answers at once): ${
    fmt(get.best, 1)
  } µs (best round; median ${fmt(get.median, 1)} µs)`

const targets = (
  rows: ReadonlyArray<ThroughputRow>,
  outages: ReadonlyArray<OutageRow>,
  soaks: ReadonlyArray<SoakRow>,
  bigs: ReadonlyArray<BigRow>,
  inMemory: InMemoryCosts
): Array<Target> => {
  const ours = rows.find((r) => r.name === "ours")!
  const out: Array<Target> = []
  const r64 = ours.byConcurrency[64].ratio
  const floor64 = rows.find((r) => r.name === "effect-async")?.byConcurrency[64]
  const undiciCpu = rows.find((r) => r.name === "undici")!.byConcurrency[64].cpu
  out.push(
    check(
      "default client ≥ 0.95× raw undici at concurrency 64",
      r64,
      (x) => x >= 0.95,
      `${fmt(r64)}× (floor: ${fmt(floor64?.ratio ?? NaN)}×; CPU per request: ours ${
        fmt(ours.byConcurrency[64].cpu, 0)
      } µs, the floor ${fmt(floor64?.cpu ?? NaN, 0)} µs, raw undici ${fmt(undiciCpu, 0)} µs; ${whyCpu(inMemory.get)})`
    )
  )
  const vsPlatform = ratioBetween(rows, "ours", "platform", 64)
  out.push(
    check(
      "default client ≥ 3× the @effect/platform client at concurrency 64",
      vsPlatform,
      (x) => x >= 3,
      `${fmt(vsPlatform)}×`
    )
  )
  const r1 = ours.byConcurrency[1].ratio
  out.push(check("default client ≥ 0.6× raw undici at concurrency 1", r1, (x) => x >= 0.6, `${fmt(r1)}×`))
  if (hasRetryPolicy) {
    const policy64 = rows.find((r) => r.name === "ours+policy")!.byConcurrency[64].ratio
    out.push(
      check(
        "Effect.retry(RetryPolicy.default) ≥ 0.7× raw undici at concurrency 64",
        policy64,
        (x) => x >= 0.7,
        `${fmt(policy64)}× (the floor under Effect.retry(Schedule.recurs(3)): ${
          fmt(rows.find((r) => r.name === "effect-async+retry")?.byConcurrency[64].ratio ?? NaN)
        }×; with no I/O, Effect.retry around a call that succeeds at once adds ${
          fmt(inMemory.effectRetry.best - inMemory.get.best, 1)
        } µs to the client's ${fmt(inMemory.get.best, 1)} µs per call)`
      )
    )
    const withPolicy = ratioBetween(rows, "ours+policy", "ours", 64)
    const policyRow = rows.find((r) => r.name === "ours+policy")!.byConcurrency[64]
    out.push(
      check(
        "Effect.retry(RetryPolicy.default) on the happy path ≤ 10 % below the default client (c=64)",
        withPolicy,
        (x) => x >= 0.9,
        `${fmt(withPolicy)}× the default client's throughput (CPU per request: ${
          fmt(ours.byConcurrency[64].cpu / policyRow.cpu)
        }× as efficient); for scale, the bare floor under Effect.retry(Schedule.recurs(3)): ${
          fmt(ratioBetween(rows, "effect-async+retry", "effect-async", 64))
        }× the floor; the client's retry option instead: ${fmt(ratioBetween(rows, "ours+option", "ours", 64))}×`
      )
    )
  } else {
    out.push(
      skip("Effect.retry(RetryPolicy.default) ≤ 10 % below the default client", "RetryPolicy is not exported yet")
    )
  }
  const cpu = ours.byConcurrency[64].cpuRatio
  out.push(
    check(
      "CPU per request ≤ 1.1× raw undici (c=64)",
      cpu,
      (x) => x <= 1.1,
      `${fmt(cpu)}× (${fmt(ours.byConcurrency[64].cpu, 0)} µs vs ${fmt(undiciCpu, 0)} µs; the bare floor ${
        fmt(floor64?.cpuRatio ?? NaN)
      }×, which leaves ${
        fmt(1.1 * undiciCpu - (floor64?.cpu ?? NaN), 1)
      } µs per request above the floor for the whole client; ${whyCpu(inMemory.get)})`
    )
  )
  const soakRow = soaks.find((s) => s.name === "ours")
  const growth = soakRow === undefined ? NaN : (soakRow.rssEnd - soakRow.rssStart) / soakRow.rssStart
  out.push(
    check(
      `RSS growth over the soak < 10 % (${soakRow?.requests ?? 0} requests)`,
      growth,
      (x) => x < 0.1,
      `${fmt(growth * 100, 1)} %`
    )
  )
  const streamed = bigs.find((b) => b.name === "ours" && b.mode === "streamed")
  if (streamed === undefined) {
    out.push(skip("/big peak RSS < 64 MB above baseline when streamed", "HttpResilient.stream is not exported yet"))
  } else {
    out.push(
      check(
        "/big peak RSS < 64 MB above baseline when streamed",
        streamed.ok ? mb(streamed.peakAbove) : NaN,
        (x) => x < 64,
        `+${fmt(mb(streamed.peakAbove), 1)} MB`
      )
    )
  }
  // the budget alone (breaker off) is the stricter figure: with the breaker on, an open breaker sends nothing
  const budgetOutage = outages.find((o) => o.name === "ours+budget")
  const policyOutage = outages.find((o) => o.name === "ours+policy")
  if (budgetOutage === undefined || policyOutage === undefined) {
    out.push(skip("outage amplification ≤ 1.25× with the default budget", "RetryPolicy is not exported yet"))
  } else {
    const a = budgetOutage.byShare["100%"].amplification
    out.push(
      check(
        "outage amplification ≤ 1.25× with the default budget (100 % 503s, breaker off)",
        a,
        (x) => x <= 1.25,
        `${fmt(a)}× (${fmt(policyOutage.byShare["100%"].amplification)}× with the default breaker on)`
      )
    )
  }
  return out
}

// ---------------------------------------------------------------------------
// the report
// ---------------------------------------------------------------------------

const version = (name: string): string => {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version
  } catch {
    return "?"
  }
}

const report = (
  server: Server.Server,
  rows: ReadonlyArray<ThroughputRow>,
  outages: ReadonlyArray<OutageRow>,
  afters: ReadonlyArray<RetryAfterRow>,
  soaks: ReadonlyArray<SoakRow>,
  bigs: ReadonlyArray<BigRow>,
  verdicts: ReadonlyArray<Target>,
  seconds: number,
  resilience: ResilienceResults,
  v4: ReadonlyArray<string>,
  inMemory: InMemoryCosts
): string => {
  const cpus = os.cpus()
  const libs = [
    "effect",
    "@effect/platform",
    "@effect/platform-node",
    "undici",
    "got",
    "ky",
    "axios",
    "axios-retry",
    "cockatiel"
  ]
  const { lines, row, targets: targetsTable } = markdown()
  lines.push("# Benchmark results", "")
  lines.push(
    `Generated by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString()} in ${
      fmt(seconds, 0)
    } s` +
      (quick ? " (quick: fewer rounds and requests, noisier)." : "."),
    ""
  )
  lines.push(
    `- Machine: ${cpus[0]?.model ?? "?"}, ${cpus.length} cores, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ` +
      `${os.type()} ${os.release()}; Node ${process.version}; ${server.version} (one worker on core 0, ` +
      "each client in its own process on core 1)",
    `- Versions: ${libs.map((l) => `${l} ${version(l)}`).join(", ")}`,
    `- Every row of ours (throughput, outage, Retry-After, fault curve, recovery, hedging, soak, \`/big\`): ${libDescription}`,
    `- Rounds: ${settings.rounds}, interleaved over clients; per round ${settings.c1.count} requests at concurrency 1 ` +
      `and ${settings.c64.count} at 64 (or ${settings.c1.maxMillis} / ${settings.c64.maxMillis} ms, whichever ends ` +
      "first); raw undici runs right before each client, and ratios are medians over rounds of the ratio to that " +
      "run. Effect clients run their " +
      "loop inside one Effect run; promise clients with `await`.",
    ""
  )
  lines.push("## Targets", "")
  targetsTable(verdicts)
  lines.push("", "![ratios and amplification](results.svg)", "")

  lines.push("## Throughput on `/ok` (small JSON)", "")
  row(["client", ...throughputHeader, "RSS MB", "failed"])
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
  for (const r of rows) {
    const [a, b] = [r.byConcurrency[1], r.byConcurrency[64]]
    row([r.label, ...throughputCells(a, b, 0), fmt(mb(b.rss), 0), a.failed + b.failed])
  }

  lines.push(
    "",
    "The spread of one run: each round's ratio at concurrency 64 to the raw undici run right before it (the table " +
      "gives their median). Rows that run nearly the same code per request (the default client, and the `retry` " +
      "option's row, whose call adds one failure handler) differ by as much as the rounds spread.",
    ""
  )
  row(["client", "c=64 × undici, by round"])
  row(["---", "---"])
  for (const r of rows.filter((x) => ["ours", "ours+option", "ours+policy", "effect-async"].includes(x.name))) {
    row([r.label, r.byConcurrency[64].ratios.map((x) => fmt(x)).join(" ")])
  }
  lines.push("", "## The client's own work, with no I/O", "")
  lines.push(
    `CPU per call of the default client over a transport that answers at once (bench/inMemory.ts: ${inMemory.calls} ` +
      `calls a round, one after another in one fiber, ${inMemory.rounds} rounds after two of warm-up), in this run: ` +
      "the part of a request's CPU that is the client's pipeline itself (request preparation, breaker, bulkhead, " +
      "retry budget, duration histogram, response object, the Effect steps between them), which no change on the " +
      "socket side removes. Set beside the throughput table's CPU per request: the CPU target (≤ 1.1× raw undici) " +
      "leaves the whole client what is left of 1.1× raw undici's CPU above the bare `Effect.async` floor.",
    ""
  )
  row(["call", "µs per call, best round", "median round"])
  row(["---", "---:", "---:"])
  row(["`HttpResilient.get(url)`", fmt(inMemory.get.best, 2), fmt(inMemory.get.median, 2)])
  row([
    "`Effect.retry(HttpResilient.get(url), RetryPolicy.default)`",
    fmt(inMemory.effectRetry.best, 2),
    fmt(inMemory.effectRetry.median, 2)
  ])

  lines.push("", `## Outage amplification (server requests ÷ logical calls, ${retries} retries, concurrency 64)`, "")
  lines.push(
    `Each client's own retry mechanism with ${retries} retries and a backoff of about ${benchBackoffMillis} ms; ` +
      `${settings.outageCalls} calls per row on a fresh client (no budget carried over). Requests counted from ` +
      "nginx's access log. Without a budget the ceiling is 4.0× at 100 % 503s; an open circuit breaker sends " +
      "nothing, so ours is also shown with the breaker off, the retry budget alone.",
    ""
  )
  row(["client", "retry mechanism", "100 % 503s", "30 % 503s", "failed calls at 30 %"])
  row(["---", "---", "---:", "---:", "---:"])
  for (const o of outages) {
    row([
      o.label,
      o.retryLabel,
      `${fmt(o.byShare["100%"].amplification)}×`,
      `${fmt(o.byShare["30%"].amplification)}×`,
      `${o.byShare["30%"].failed} / ${o.byShare["30%"].calls}`
    ])
  }

  lines.push("", "## Retry-After honoured (`503` + `Retry-After: 1`, one retry)", "")
  row(["client", "gap between attempts (server clock)", "honoured"])
  row(["---", "---:", "---"])
  for (const a of afters) row([a.label, `${fmt(a.gapMillis, 0)} ms`, a.honoured ? "yes" : "no"])

  lines.push("", ...resilienceReport(resilience, quick ? quickSettings : fullSettings))

  lines.push("## Memory over a soak (`/ok`, concurrency 64, after a warm-up)", "")
  lines.push(
    "RSS is sampled after a GC at each tenth of the soak; start and end are the medians of the first and last " +
      "three samples. Heap is measured after a GC before and after.",
    ""
  )
  row([
    "client",
    "requests",
    "req/s",
    "RSS start MB",
    "RSS end MB",
    "growth",
    "heap start MB",
    "heap end MB",
    "RSS samples MB"
  ])
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---"])
  for (const s of soaks) {
    row([
      s.name,
      s.requests,
      fmt(s.rps, 0),
      fmt(mb(s.rssStart), 1),
      fmt(mb(s.rssEnd), 1),
      `${fmt(((s.rssEnd - s.rssStart) / s.rssStart) * 100, 1)} %`,
      fmt(mb(s.heapStart), 1),
      fmt(mb(s.heapEnd), 1),
      s.samples.map((x) => fmt(mb(x), 0)).join(" ")
    ])
  }

  lines.push("", `## Peak RSS for \`/big\` (${mb(Server.bigSize)} MB), fresh process each`, "")
  row(["client", "mode", "baseline RSS MB", "peak above baseline MB", "completed"])
  row(["---", "---", "---:", "---:", "---"])
  for (const b of bigs) {
    row([b.name, b.mode, fmt(mb(b.baseline), 1), fmt(mb(b.peakAbove), 1), b.ok ? "yes" : "no"])
  }
  if (!hasStreamVerb) lines.push("", "`HttpResilient.stream` is not exported yet: ours is measured buffered only.")
  if (!hasRetryPolicy) {
    lines.push(
      "",
      "`RetryPolicy` is not exported yet: the `ours + RetryPolicy.default` client and its targets are skipped; " +
        "they run as soon as `src/index.ts` exports it."
    )
  }
  if (v4.length > 0) lines.push("", ...v4)
  const notes = path.join(here, "NOTES.md")
  if (fs.existsSync(notes)) lines.push("", fs.readFileSync(notes, "utf8").trim())
  return lines.join("\n") + "\n"
}

/**
 * The Effect v4 edition's bench (`bench/v4`, `npm run bench:v4`: its own dependencies, run by a Node 22 binary) as
 * the last step, in its quick form (about a minute): its section of RESULTS.md, or one saying why it did not run.
 * `--no-v4` leaves it out; `npm run bench:v4` alone runs more rounds.
 */
const benchV4 = async (): Promise<Array<string>> => {
  if (process.argv.includes("--no-v4")) return []
  const heading = "## Effect v4 edition (Node 22)"
  const results = path.join(here, "v4", "RESULTS.md")
  const since = Date.now()
  log("bench:v4: the Effect v4 edition (npm run bench:v4)")
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "scripts", "bench-v4.mjs"), "--quick"], {
      cwd: root,
      stdio: "inherit"
    })
    children.add(child)
    child.once("error", () => resolve(1))
    child.once("exit", (status) => {
      children.delete(child)
      resolve(status ?? 1)
    })
  })
  if (code === 0 && fs.existsSync(results) && fs.statSync(results).mtimeMs >= since) {
    return fs.readFileSync(results, "utf8").trim().split("\n")
  }
  return [heading, "", `Not measured: \`npm run bench:v4\` exited with status ${code} (its output says why).`]
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

const main = async () => {
  const started = performance.now()
  // the whole run is bounded too
  const { server, shutdown } = await startBench("bench", quick ? 10 : 25)
  log(`nginx ${server.version} on ${server.origin}; ${quick ? "quick run" : "full run"}; ${libDescription}`)
  try {
    if (throughputOnly !== undefined) {
      const names = new Set(["undici", ...throughputOnly.split(",")])
      const only = await Promise.all(clients.filter((c) => names.has(c.name)).map(startWorker))
      const rows = await throughput(only, server.origin)
      for (const w of only) w.stop()
      for (const row of rows) {
        const [c1, c64] = [row.byConcurrency[1], row.byConcurrency[64]]
        log(
          `${row.name.padEnd(20)} c1 ${fmt(c1.ratio)}× c64 ${fmt(c64.ratio)}× (${fmt(c64.rps, 0)} req/s, ` +
            `rounds ${c64.ratios.map((r) => fmt(r)).join(" ")}) cpu ${fmt(c64.cpu, 1)} µs ${fmt(c64.cpuRatio)}×`
        )
      }
      server.stop()
      return
    }
    const workers = await Promise.all(clients.map(startWorker))
    const measured = workers.filter((w) => w.definition.retriesOnly !== true)
    const rows = await throughput(measured, server.origin)
    log("in memory: the client's own work per call (bench/inMemory.ts)")
    const inMemory = await measureInMemory(quick ? 5_000 : 20_000, quick ? 5 : 9)
    const outages = await outage(workers, server)
    const afters = await retryAfter(workers, server)
    const resilience = await runResilience(workers, server, quick ? quickSettings : fullSettings)
    const soaks = await soak(measured, server.origin)
    for (const w of workers) await w.run({ type: "close" }).catch(() => undefined)
    for (const w of workers) w.stop()
    const bigs = await big(server.origin)
    const v4 = await benchV4()
    const verdicts = [...targets(rows, outages, soaks, bigs, inMemory), ...resilienceTargets(resilience)]
    const seconds = (performance.now() - started) / 1000
    fs.writeFileSync(
      path.join(here, "RESULTS.md"),
      report(server, rows, outages, afters, soaks, bigs, verdicts, seconds, resilience, v4, inMemory)
    )
    fs.writeFileSync(path.join(here, "faults.svg"), faultCurveChart(curveLines(resilience.curve)))
    fs.writeFileSync(path.join(here, "results.svg"), chart(rows, outages))
    log("")
    for (const t of verdicts) log(`${t.verdict.padEnd(4)}  ${t.name}: ${t.figure}`)
    log(`\nwrote bench/RESULTS.md, bench/results.svg and bench/faults.svg in ${fmt(seconds, 0)} s`)
    server.stop()
  } catch (error) {
    console.error(error)
    shutdown(1)
  }
}

main()
