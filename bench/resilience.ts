/**
 * The resilience scenarios against nginx: the fault curve (success and server requests per call at 0–100 % 503s
 * and at 30 % dropped connections), a full outage of 1,000 calls in 10 s, recovery after an outage, and hedging
 * against a slow tail. `bench/run.ts` runs them as part of `npm run bench`; alone (smaller counts with `--quick`):
 *
 *   npx tsx bench/resilience.ts [--quick] [--only curve,outage,recovery,hedging] [--source]
 *
 * Ours is loaded as in `npm run bench` (bench/lib.ts): the tsc build, or the source with `--source`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type CurveLine, faultCurveChart } from "./chart.js"
import { clients } from "./clients.js"
import { libDescription } from "./lib.js"
import type { PacedOutcome } from "./loop.js"
import * as Server from "./server.js"
import { children, startWorker, type Worker } from "./workers.js"

/** The clients of the fault curve: ours (default breaker, and breaker off) and the peers with their own retries. */
export const curveClients = ["ours+policy", "ours+budget", "platform", "got", "ky", "axios", "cockatiel"]

export interface ResilienceSettings {
  /** calls per point of the fault curve (closed loop, concurrency 64) */
  readonly curveCalls: number
  /**
   * calls at the two points the targets judge (30 % 503s, 30 % dropped connections): the success share there is
   * read to a tenth of a point against 99 %, where 3,000 calls spread it by about ±0.2 points from run to run
   */
  readonly targetPointCalls: number
  /** the outage scenario: `outageCalls` calls at `outagePerSecond` */
  readonly outageCalls: number
  readonly outagePerSecond: number
  /** the recovery scenario: down for `downSeconds`, then up for `upSeconds`, at `recoveryPerSecond` */
  readonly downSeconds: number
  readonly upSeconds: number
  readonly recoveryPerSecond: number
  /** the hedging scenario */
  readonly hedgeCalls: number
  readonly hedgePerSecond: number
}

export const fullSettings: ResilienceSettings = {
  curveCalls: 3_000,
  targetPointCalls: 10_000,
  outageCalls: 1_000,
  outagePerSecond: 100,
  downSeconds: 8,
  upSeconds: 12,
  recoveryPerSecond: 100,
  hedgeCalls: 1_500,
  hedgePerSecond: 100
}

export const quickSettings: ResilienceSettings = {
  curveCalls: 1_000,
  targetPointCalls: 1_000,
  outageCalls: 1_000,
  outagePerSecond: 100,
  downSeconds: 8,
  upSeconds: 12,
  recoveryPerSecond: 50,
  hedgeCalls: 800,
  hedgePerSecond: 100
}

/** The default breaker's break (`CircuitBreaker.defaults.breakDuration`): recovery is judged against 2 × it. */
export const breakSeconds = 5
/** The hedge delay of the hedging scenario. */
export const hedgeDelay = "50 millis"

/** One point of the fault curve for one client. */
export interface CurvePoint {
  readonly success: number
  readonly perCall: number
  readonly calls: number
}

export interface CurveRow {
  readonly name: string
  readonly label: string
  /** by point: "0%" … "100%", "reset 30%" */
  readonly points: Record<string, CurvePoint>
}

export interface OutageRun {
  readonly name: string
  readonly label: string
  readonly perCall: number
  readonly success: number
  readonly calls: number
}

export interface RecoveryRun {
  readonly name: string
  readonly label: string
  /** seconds after the outage ended from which every later second of calls succeeded ≥ 99 % (NaN: never) */
  readonly recoveredAfter: number
  /** success of the calls started in the last `upSeconds - 2 × break` seconds */
  readonly successAfter: number
  readonly perCallDown: number
}

export interface HedgingRun {
  readonly plain: Latencies
  readonly hedged: Latencies
  readonly calls: number
}

export interface Latencies {
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly requests: number
  readonly failed: number
}

export interface ResilienceResults {
  readonly curve: ReadonlyArray<CurveRow>
  readonly outage: ReadonlyArray<OutageRun>
  readonly recovery: ReadonlyArray<RecoveryRun>
  readonly hedging: HedgingRun | undefined
}

const curvePoints: ReadonlyArray<readonly [string, string]> = [
  ...Server.faultShares.map((share) => [`${Math.round(share * 100)}%`, `/fault-${Math.round(share * 100)}`] as const),
  ["reset 30%", "/reset-30"]
]

/** The points the targets judge (`targetPointCalls` calls each). */
const targetPoints: ReadonlySet<string> = new Set(["30%", "reset 30%"])

const here = path.dirname(fileURLToPath(import.meta.url))
const log = (line: string) => console.log(line)
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a")

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

const labelOf = (name: string) => clients.find((c) => c.name === name)?.label ?? name

const curve = async (workers: ReadonlyArray<Worker>, server: Server.Server, settings: ResilienceSettings) => {
  const rows: Array<CurveRow> = []
  for (const name of curveClients) {
    const w = workers.find((x) => x.definition.name === name)
    if (w === undefined) continue
    const points: Record<string, CurvePoint> = {}
    for (const [point, p] of curvePoints) {
      const before = server.countedLines().length
      const result = await w.run({
        type: "faults",
        url: `${server.origin}${p}`,
        calls: targetPoints.has(point) ? settings.targetPointCalls : settings.curveCalls,
        concurrency: 64,
        maxMillis: 60_000
      })
      if (result.type !== "faults" || result.outcome === undefined) break
      const calls = result.outcome.ok + result.outcome.failed
      points[point] = {
        success: result.outcome.ok / calls,
        perCall: (server.countedLines().length - before) / calls,
        calls
      }
    }
    rows.push({ name, label: labelOf(name), points })
    log(
      `fault curve: ${name} ${
        Object.entries(points).map(([k, v]) => `${k} ${fmt(v.success * 100, 1)} % ${fmt(v.perCall)}×`).join(", ")
      }`
    )
  }
  return rows
}

const paced = async (
  w: Worker,
  task: { mode: "policy" | "plain" | "hedged"; url: string; calls: number; perSecond: number; warmUrl?: string }
): Promise<PacedOutcome | undefined> => {
  const result = await w.run({ type: "paced", hedgeDelay, warmCalls: 2_000, ...task })
  return result.type === "paced" ? result.outcome : undefined
}

const outage = async (workers: ReadonlyArray<Worker>, server: Server.Server, settings: ResilienceSettings) => {
  const runs: Array<OutageRun> = []
  for (const name of ["ours+policy", "ours+budget"]) {
    const w = workers.find((x) => x.definition.name === name)
    if (w === undefined) continue
    const before = server.countedLines().length
    const outcome = await paced(w, {
      mode: "policy",
      url: `${server.origin}/fault-100`,
      calls: settings.outageCalls,
      perSecond: settings.outagePerSecond
    })
    if (outcome === undefined) continue
    const calls = outcome.oks.length
    const run = {
      name,
      label: labelOf(name),
      perCall: (server.countedLines().length - before) / calls,
      success: outcome.oks.reduce<number>((n, ok) => n + ok, 0) / calls,
      calls
    }
    runs.push(run)
    log(`outage in ${calls / settings.outagePerSecond} s: ${name} ${fmt(run.perCall)} requests per call`)
  }
  return runs
}

const recovery = async (workers: ReadonlyArray<Worker>, server: Server.Server, settings: ResilienceSettings) => {
  const runs: Array<RecoveryRun> = []
  for (const name of ["ours+policy", "ours+budget"]) {
    const w = workers.find((x) => x.definition.name === name)
    if (w === undefined) continue
    server.setDown(true)
    const before = server.countedLines().length
    let upAt = NaN
    const calls = (settings.downSeconds + settings.upSeconds) * settings.recoveryPerSecond
    const switchUp = setTimeout(() => {
      server.setDown(false)
      upAt = Date.now()
    }, settings.downSeconds * 1000)
    const outcome = await paced(w, {
      mode: "policy",
      url: `${server.origin}${Server.switchPath}`,
      calls,
      perSecond: settings.recoveryPerSecond
    }).finally(() => {
      clearTimeout(switchUp)
      server.setDown(false)
    })
    if (outcome === undefined || Number.isNaN(upAt)) continue
    const lines = server.countedLines().slice(before)
    const downCalls = outcome.starts.filter((s) => s < upAt).length
    const downRequests = lines.filter((l) => l.time * 1000 < upAt).length
    // per second after the outage ended (by when calls started): the first second from which every later one
    // succeeded ≥ 99 %
    const bins: Array<{ ok: number; all: number }> = []
    outcome.starts.forEach((start, i) => {
      if (start < upAt) return
      const bin = Math.floor((start - upAt) / 1000)
      bins[bin] ??= { ok: 0, all: 0 }
      bins[bin].all++
      bins[bin].ok += outcome.oks[i]
    })
    let recoveredAfter = NaN
    for (let b = bins.length - 1; b >= 0; b--) {
      const bin = bins[b]
      if (bin === undefined || bin.ok / bin.all < 0.99) break
      recoveredAfter = b
    }
    const judged = outcome.starts.map((s, i) => [s, outcome.oks[i]] as const).filter(([s]) =>
      s >= upAt + 2 * breakSeconds * 1000
    )
    const run = {
      name,
      label: labelOf(name),
      recoveredAfter,
      successAfter: judged.reduce((n, [, ok]) => n + ok, 0) / judged.length,
      perCallDown: downRequests / Math.max(1, downCalls)
    }
    runs.push(run)
    log(
      `recovery: ${name} ≥ 99 % from ${fmt(recoveredAfter, 0)} s after the outage; ${
        fmt(run.successAfter * 100, 1)
      } % after 2 × break; ${fmt(run.perCallDown)} requests per call while down`
    )
  }
  return runs
}

const latencies = (outcome: PacedOutcome, requests: number): Latencies => {
  const ok = outcome.latencies.filter((_, i) => outcome.oks[i] === 1).sort((a, b) => a - b)
  return {
    p50: percentile(ok, 50),
    p90: percentile(ok, 90),
    p99: percentile(ok, 99),
    max: ok[ok.length - 1] ?? NaN,
    requests,
    failed: outcome.oks.length - ok.length
  }
}

const hedging = async (workers: ReadonlyArray<Worker>, server: Server.Server, settings: ResilienceSettings) => {
  const w = workers.find((x) => x.definition.name === "ours")
  if (w === undefined) return undefined
  const run = async (mode: "plain" | "hedged") => {
    const before = server.countedLines().length
    const outcome = await paced(w, {
      mode,
      url: `${server.origin}/tail`,
      calls: settings.hedgeCalls,
      perSecond: settings.hedgePerSecond,
      warmUrl: `${server.origin}/ok`
    })
    return outcome === undefined ? undefined : latencies(outcome, server.countedLines().length - before)
  }
  const plain = await run("plain")
  const hedged = await run("hedged")
  if (plain === undefined || hedged === undefined) return undefined
  const row = (name: string, r: Latencies) =>
    `${name}: p50 ${fmt(r.p50, 1)} ms, p90 ${fmt(r.p90, 1)} ms, p99 ${fmt(r.p99, 1)} ms, max ${
      fmt(r.max, 1)
    } ms, ${r.requests} requests`
  log(`hedging: ${row("plain", plain)}; ${row("hedged", hedged)}`)
  return { plain, hedged, calls: settings.hedgeCalls }
}

export type Part = "curve" | "outage" | "recovery" | "hedging"

/** Runs the scenarios on `workers` (started for every client of `bench/clients.ts`). */
export const runResilience = async (
  workers: ReadonlyArray<Worker>,
  server: Server.Server,
  settings: ResilienceSettings,
  parts: ReadonlySet<Part> = new Set(["curve", "outage", "recovery", "hedging"])
): Promise<ResilienceResults> => ({
  curve: parts.has("curve") ? await curve(workers, server, settings) : [],
  outage: parts.has("outage") ? await outage(workers, server, settings) : [],
  recovery: parts.has("recovery") ? await recovery(workers, server, settings) : [],
  hedging: parts.has("hedging") ? await hedging(workers, server, settings) : undefined
})

// ---------------------------------------------------------------------------
// targets and the report
// ---------------------------------------------------------------------------

export interface Verdict {
  readonly name: string
  readonly verdict: "PASS" | "FAIL" | "SKIP"
  readonly figure: string
}

const verdict = (name: string, ok: boolean | undefined, figure: string): Verdict => ({
  name,
  verdict: ok === undefined ? "SKIP" : ok ? "PASS" : "FAIL",
  figure
})

export const resilienceTargets = (r: ResilienceResults): Array<Verdict> => {
  const out: Array<Verdict> = []
  const ours = r.curve.find((c) => c.name === "ours+policy")
  const budget = r.curve.find((c) => c.name === "ours+budget")
  for (const [point, what] of [["30%", "30 % random 503s"], ["reset 30%", "30 % dropped connections"]] as const) {
    const p = ours?.points[point]
    out.push(verdict(
      `${what}, default client + Effect.retry(RetryPolicy.default): ≥ 99 % succeed at ≤ 1.45 requests per call`,
      p === undefined ? undefined : p.success >= 0.99 && p.perCall <= 1.45,
      p === undefined ? "not measured" : `${fmt(p.success * 100, 1)} % at ${fmt(p.perCall)} requests per call`
    ))
  }
  const o10 = r.outage.find((o) => o.name === "ours+policy")
  const b10 = r.outage.find((o) => o.name === "ours+budget")
  out.push(verdict(
    "full outage, 1,000 calls in 10 s: ≤ 0.2 requests per call with the default breaker",
    o10 === undefined ? undefined : o10.perCall <= 0.2,
    o10 === undefined ? "not measured" : `${fmt(o10.perCall, 3)}`
  ))
  out.push(verdict(
    "full outage, 1,000 calls in 10 s: ≤ 1.25 requests per call with the breaker off (the budget alone)",
    b10 === undefined ? undefined : b10.perCall <= 1.25,
    b10 === undefined ? "not measured" : `${fmt(b10.perCall, 3)}`
  ))
  const a = ours?.points["100%"]
  const ab = budget?.points["100%"]
  out.push(verdict(
    "full outage, asymptotically (closed loop, concurrency 64): ≤ 0.2 with the breaker, ≤ 1.25 without",
    a === undefined || ab === undefined ? undefined : a.perCall <= 0.2 && ab.perCall <= 1.25,
    a === undefined || ab === undefined
      ? "not measured"
      : `${fmt(a.perCall, 3)} with the breaker, ${fmt(ab.perCall, 3)} without (${a.calls} calls each)`
  ))
  const rec = r.recovery.find((x) => x.name === "ours+policy")
  out.push(verdict(
    `recovery: ≥ 99 % success within 2 × the breaker's open duration (${2 * breakSeconds} s) after an outage`,
    rec === undefined ? undefined : rec.recoveredAfter <= 2 * breakSeconds && rec.successAfter >= 0.99,
    rec === undefined
      ? "not measured"
      : `every second ≥ 99 % from ${fmt(rec.recoveredAfter, 0)} s after the outage ended; ${
        fmt(rec.successAfter * 100, 1)
      } % of the calls after ${2 * breakSeconds} s`
  ))
  const h = r.hedging
  const cut = h === undefined ? NaN : h.plain.p99 / h.hedged.p99
  const extra = h === undefined ? NaN : h.hedged.requests / h.calls - 1
  out.push(verdict(
    `hedging against a ${Server.tailShare * 100} % slow tail: p99 cut ≥ 5× for ≤ 10 % extra requests`,
    h === undefined ? undefined : cut >= 5 && extra <= 0.1,
    h === undefined
      ? "not measured"
      : `p99 ${fmt(h.plain.p99, 1)} → ${fmt(h.hedged.p99, 1)} ms (${fmt(cut, 1)}×), ${fmt(extra * 100, 1)} % extra`
  ))
  return out
}

/** The markdown of the scenarios' tables. */
export const resilienceReport = (r: ResilienceResults, settings: ResilienceSettings): Array<string> => {
  const lines: Array<string> = []
  const row = (cells: ReadonlyArray<string | number>) => lines.push(`| ${cells.join(" | ")} |`)
  if (r.curve.length > 0) {
    lines.push("## Fault curve (success and server requests per call, concurrency 64)", "")
    lines.push(
      `${settings.curveCalls} calls per point (${settings.targetPointCalls} at 30 % and at reset 30 %, the points the ` +
        "targets judge) on a fresh client, a closed loop at concurrency 64 against nginx " +
        "(`/fault-N`: N % of requests answered 503, drawn per request; `/reset-30`: 30 % of connections closed " +
        "without an answer, nginx's 444). Ours: `Effect.retry(HttpResilient.get(url), RetryPolicy.default)` " +
        "(3 retries, full-jitter backoff from 100 ms) with the default client, and with `circuitBreaker: false` " +
        "(the retry budget alone); the peers: their own retries, 3 of them, backoff about 5 ms. Requests counted " +
        "from nginx's access log. Cells: success % / requests per call.",
      "",
      "![fault curve](faults.svg)",
      ""
    )
    const points = curvePoints.map(([p]) => p)
    row(["client", ...points])
    row(["---", ...points.map(() => "---:")])
    for (const c of r.curve) {
      row([
        c.label,
        ...points.map((p) =>
          c.points[p] === undefined ? "n/a" : `${fmt(c.points[p].success * 100, 1)} % / ${fmt(c.points[p].perCall)}`
        )
      ])
    }
    lines.push("")
  }
  if (r.outage.length > 0) {
    lines.push(
      `## Full outage: ${settings.outageCalls} calls in ${
        settings.outageCalls / settings.outagePerSecond
      } s (open loop, 100 % 503s)`,
      ""
    )
    row(["client", "requests per call", "success"])
    row(["---", "---:", "---:"])
    for (const o of r.outage) row([o.label, fmt(o.perCall, 3), `${fmt(o.success * 100, 1)} %`])
    lines.push("")
  }
  if (r.recovery.length > 0) {
    lines.push(
      `## Recovery (${settings.recoveryPerSecond} calls/s, down ${settings.downSeconds} s, then up ${settings.upSeconds} s)`,
      ""
    )
    row([
      "client",
      "every second ≥ 99 % from (s after the outage)",
      `success after ${2 * breakSeconds} s`,
      "requests per call while down"
    ])
    row(["---", "---:", "---:", "---:"])
    for (const x of r.recovery) {
      row([x.label, fmt(x.recoveredAfter, 0), `${fmt(x.successAfter * 100, 1)} %`, fmt(x.perCallDown, 3)])
    }
    lines.push("")
  }
  if (r.hedging !== undefined) {
    const h = r.hedging
    lines.push(
      `## Hedging (\`/tail\`: ${Server.tailShare * 100} % of requests answered after ${Server.tailDelaySeconds} s; ` +
        `${h.calls} calls at ${settings.hedgePerSecond}/s, open loop; hedge delay ${hedgeDelay})`,
      ""
    )
    row(["call", "p50 ms", "p90 ms", "p99 ms", "max ms", "server requests", "failed"])
    row(["---", "---:", "---:", "---:", "---:", "---:", "---:"])
    for (const [name, l] of [["plain", h.plain], ["hedged", h.hedged]] as const) {
      row([name, fmt(l.p50, 1), fmt(l.p90, 1), fmt(l.p99, 1), fmt(l.max, 1), l.requests, l.failed])
    }
    lines.push("")
  }
  return lines
}

// ---------------------------------------------------------------------------
// alone
// ---------------------------------------------------------------------------

const main = async () => {
  const problem = Server.missing()
  if (problem !== undefined) {
    console.error(`bench: ${problem}`)
    process.exit(1)
  }
  const quick = process.argv.includes("--quick")
  const only = process.argv.indexOf("--only")
  const parts = new Set<Part>(
    only >= 0 ? (process.argv[only + 1].split(",") as Array<Part>) : ["curve", "outage", "recovery", "hedging"]
  )
  const settings = quick ? quickSettings : fullSettings
  const server = await Server.start()
  console.log(libDescription)
  const names = new Set(["ours", ...curveClients])
  const shutdown = (code: number) => {
    for (const child of children) child.kill("SIGTERM")
    server.stop()
    process.exit(code)
  }
  process.once("SIGINT", () => shutdown(130))
  try {
    const workers = await Promise.all(clients.filter((c) => names.has(c.name)).map(startWorker))
    const results = await runResilience(workers, server, settings, parts)
    console.log("")
    for (const line of resilienceReport(results, settings)) console.log(line)
    for (const t of resilienceTargets(results)) console.log(`${t.verdict.padEnd(4)}  ${t.name}: ${t.figure}`)
    if (results.curve.length > 0) {
      fs.writeFileSync(path.join(here, "faults.svg"), faultCurveChart(curveLines(results.curve)))
      console.log("wrote bench/faults.svg")
    }
    shutdown(0)
  } catch (error) {
    console.error(error)
    shutdown(1)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()

/** The fault curve's lines for `faultCurveChart` (the 503 points; the reset point is in the table). */
export const curveLines = (rows: ReadonlyArray<CurveRow>): Array<CurveLine> =>
  rows.map((row) => ({
    label: row.label,
    points: Server.faultShares.flatMap((share) => {
      const p = row.points[`${Math.round(share * 100)}%`]
      return p === undefined ? [] : [{ share, success: p.success, perCall: p.perCall }]
    })
  }))
