/**
 * What the client's own work costs per call, with no I/O: the default client (every default protection, telemetry)
 * over a transport that answers at once, one call after another in one fiber, CPU per call. The throughput table
 * says how ours compares with raw undici over sockets; this says how much of a request's CPU is the client's pipeline
 * itself, the part no socket-level change can remove — the measured reason beside the speed targets in RESULTS.md.
 *
 * Ours as `npm run bench` loads it (the `tsc` build, bench/lib.ts), in this process: best and median of `rounds`
 * rounds of `calls` calls after a warm-up of two rounds.
 */
import * as Effect from "effect/Effect"
import { instantClientOf } from "./instantTransport.js"
import { Lib } from "./lib.js"

export interface InMemoryCost {
  /** µs of CPU per call, best round */
  readonly best: number
  /** µs of CPU per call, median round */
  readonly median: number
}

export interface InMemoryCosts {
  /** `HttpResilient.get(url)` */
  readonly get: InMemoryCost
  /** `Effect.retry(HttpResilient.get(url), RetryPolicy.default)`, succeeding at once */
  readonly effectRetry: InMemoryCost
  readonly calls: number
  readonly rounds: number
}

const cost = (
  call: () => Effect.Effect<unknown, unknown, any>,
  calls: number,
  rounds: number
): Effect.Effect<InMemoryCost, unknown, any> =>
  Effect.gen(function*() {
    const perCall: Array<number> = []
    for (let round = 0; round < rounds + 2; round++) {
      const before = process.cpuUsage()
      for (let i = 0; i < calls; i++) yield* call()
      const used = process.cpuUsage(before)
      if (round >= 2) perCall.push((used.user + used.system) / calls)
    }
    perCall.sort((a, b) => a - b)
    return { best: perCall[0], median: perCall[Math.floor(perCall.length / 2)] }
  })

/** Measures both calls, in this process. */
export const measureInMemory = (calls = 20_000, rounds = 7): Promise<InMemoryCosts> => {
  const url = "http://bench.test/ok"
  const program = Effect.gen(function*() {
    const get = yield* cost(() => Lib.HttpResilient.get(url), calls, rounds)
    const effectRetry = yield* cost(
      () => Effect.retry(Lib.HttpResilient.get(url), Lib.RetryPolicy.default),
      calls,
      rounds
    )
    return { get, effectRetry, calls, rounds }
  })
  return Effect.runPromise(
    program.pipe(Effect.provide(instantClientOf(Lib))) as Effect.Effect<
      InMemoryCosts
    >
  )
}
