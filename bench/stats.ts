/**
 * What both benches' harnesses (bench/run.ts, bench/v4/run.ts) compute and print the same way: medians and rates of
 * the loops' outcomes, the targets' verdicts, the Markdown tables, and the run's frame (nginx started, the client
 * processes and nginx stopped on every exit, a watchdog). No `effect` import.
 */
import { children } from "./ipc.js"
import type { LoopOutcome } from "./loop.js"
import * as Server from "./server.js"

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
export const rate = (o: LoopOutcome) => (o.ok + o.failed) / (o.elapsedMillis / 1000)
export const cpuPerRequest = (o: LoopOutcome) => o.cpuMicros / Math.max(1, o.ok + o.failed)
export const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a")

export interface Target {
  readonly name: string
  readonly verdict: "PASS" | "FAIL" | "SKIP"
  readonly figure: string
}

/** PASS or FAIL by `ok(value)`; SKIP (figure `unmeasured`) when the value is not a number. */
export const check = (
  name: string,
  value: number,
  ok: (x: number) => boolean,
  figure: string,
  unmeasured = figure
): Target => ({
  name,
  verdict: Number.isFinite(value) ? (ok(value) ? "PASS" : "FAIL") : "SKIP",
  figure: Number.isFinite(value) ? figure : unmeasured
})

/** Markdown lines, and a table row appended to them. */
export const markdown = () => {
  const lines: Array<string> = []
  const row = (cells: ReadonlyArray<string | number>) => lines.push(`| ${cells.join(" | ")} |`)
  /** The targets' table. */
  const targets = (verdicts: ReadonlyArray<Target>) => {
    row(["target", "verdict", "figure"])
    row(["---", "---", "---"])
    for (const t of verdicts) row([t.name, `**${t.verdict}**`, t.figure])
  }
  return { lines, row, targets }
}

/** One client's figures at one concurrency in the throughput table. */
export interface ThroughputCell {
  readonly rps: number
  readonly ratio: number
  readonly cpu: number
  readonly cpuRatio: number
}

/** The throughput table's columns both benches show, between the client's and the failed calls'. */
export const throughputHeader = [
  "c=1 req/s",
  "c=1 × undici",
  "c=64 req/s",
  "c=64 × undici",
  "CPU µs/req (c=64)",
  "CPU × undici"
] as const

/** A row's cells under {@link throughputHeader}: `a` at concurrency 1, `b` at 64. */
export const throughputCells = (a: ThroughputCell, b: ThroughputCell, cpuDigits: number) => [
  fmt(a.rps, 0),
  fmt(a.ratio),
  fmt(b.rps, 0),
  fmt(b.ratio),
  fmt(b.cpu, cpuDigits),
  fmt(b.cpuRatio)
]

/**
 * The frame of a bench run: exits (status 1) saying what is missing when nginx cannot run, else starts it; `shutdown`
 * stops the client processes and nginx and exits, on Ctrl-C, SIGTERM and after `minutes` (a watchdog).
 */
export const startBench = async (tool: string, minutes: number) => {
  const problem = Server.missing()
  if (problem !== undefined) {
    console.error(`${tool}: ${problem}`)
    process.exit(1)
  }
  const server = await Server.start()
  const shutdown = (code: number) => {
    for (const child of children) child.kill("SIGTERM")
    server.stop()
    process.exit(code)
  }
  process.once("SIGINT", () => shutdown(130))
  process.once("SIGTERM", () => shutdown(143))
  const watchdog = setTimeout(() => {
    console.error(`${tool}: still running after ${minutes} minutes; stopping`)
    shutdown(1)
  }, minutes * 60_000)
  watchdog.unref()
  return { server, shutdown }
}

/** One client's throughput at one concurrency, over the rounds. */
export interface ThroughputStats extends ThroughputCell {
  /** per round: the ratio to the raw undici run right before it */
  readonly ratios: ReadonlyArray<number>
  readonly cpuRatios: ReadonlyArray<number>
  /** the last round's RSS */
  readonly rss: number
  readonly failed: number
}

/** How the throughput rounds run one client: its key, its raw undici reference (none for a reference itself). */
export interface Contender<W> {
  readonly keyOf: (w: W) => string
  readonly referenceOf: (w: W) => W | undefined
  /** one measured run at `concurrency` */
  readonly run: (w: W, concurrency: number) => Promise<LoopOutcome>
}

/**
 * The throughput rounds at concurrency 1 and 64: each round, every client in an order that rotates each round, right
 * after a run of its reference (raw undici on the same Node), which it is compared with (noise that lasts seconds
 * hits both). Resolves with each client's figures per concurrency: medians over rounds (a reference against itself).
 */
export const throughputRounds = async <W>(
  workers: ReadonlyArray<W>,
  rounds: number,
  { keyOf, referenceOf, run }: Contender<W>,
  log: (line: string) => void
): Promise<(w: W) => Record<number, ThroughputStats>> => {
  const others = workers.filter((w) => referenceOf(w) !== undefined)
  const pairs = new Map<string, Map<number, Array<readonly [LoopOutcome, LoopOutcome]>>>()
  for (const w of workers) pairs.set(keyOf(w), new Map([[1, []], [64, []]]))
  for (let round = 0; round < rounds; round++) {
    for (const concurrency of [1, 64]) {
      const order = others.map((_, i) => others[(i + round) % others.length])
      for (const w of order) {
        const reference = referenceOf(w)!
        const before = await run(reference, concurrency)
        const outcome = await run(w, concurrency)
        pairs.get(keyOf(reference))!.get(concurrency)!.push([before, before])
        pairs.get(keyOf(w))!.get(concurrency)!.push([outcome, before])
      }
    }
    log(`throughput: round ${round + 1}/${rounds} done`)
  }
  return (w) => {
    const byConcurrency: Record<number, ThroughputStats> = {}
    for (const concurrency of [1, 64]) {
      const paired = pairs.get(keyOf(w))!.get(concurrency)!
      const ratios = paired.map(([o, r]) => rate(o) / rate(r))
      const cpuRatios = paired.map(([o, r]) => cpuPerRequest(o) / cpuPerRequest(r))
      byConcurrency[concurrency] = {
        rps: median(paired.map(([o]) => rate(o))),
        ratio: median(ratios),
        ratios,
        cpu: median(paired.map(([o]) => cpuPerRequest(o))),
        cpuRatio: median(cpuRatios),
        cpuRatios,
        rss: paired[paired.length - 1][0].rss,
        failed: paired.reduce((n, [o]) => n + o.failed, 0)
      }
    }
    return byConcurrency
  }
}

/**
 * One measured run of the throughput rounds on a client process: `/ok` at `concurrency`, sized by `specOf`; resolves
 * with its loop's outcome.
 */
export const throughputRun = <W extends { readonly run: (task: never) => Promise<{ readonly type: string }> }>(
  url: string,
  specOf: (concurrency: number) => { readonly count: number; readonly maxMillis: number }
) =>
async (w: W, concurrency: number): Promise<LoopOutcome> => {
  const task = { type: "throughput", url, concurrency, ...specOf(concurrency) } as const
  const result = await w.run(task as never)
  if (result.type !== "throughput") throw new Error("unexpected result")
  return (result as unknown as { readonly outcome: LoopOutcome }).outcome
}
