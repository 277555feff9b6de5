/** The rows `bench/run.ts` measures and `bench/chart.ts` draws. */

/** One client's throughput, per concurrency. */
export interface ThroughputRow {
  readonly name: string
  readonly label: string
  /** per concurrency: median requests/s, median ratio to undici, median CPU µs/request, its ratio, last RSS */
  readonly byConcurrency: Record<number, {
    readonly rps: number
    readonly ratio: number
    readonly cpu: number
    readonly cpuRatio: number
    readonly rss: number
    readonly failed: number
    /** per round: the ratio to the raw undici run paired with it */
    readonly ratios: ReadonlyArray<number>
  }>
}

/** One client's load on an origin in an outage, per share of 503s. */
export interface OutageRow {
  readonly name: string
  readonly label: string
  readonly retryLabel: string
  /** server requests ÷ logical calls, and the calls that failed, per share of 503s */
  readonly byShare: Record<string, { readonly amplification: number; readonly failed: number; readonly calls: number }>
}
