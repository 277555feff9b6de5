/**
 * The loops of the v4 bench, as `bench/loop.ts` runs them for the v3 clients, written against Effect v4: a closed
 * loop (`concurrency` workers, each starting its next call when its previous one ended, bounded by a count and a
 * time limit) and an open loop (call `i` starts at `i / perSecond` s). Promise clients loop with `await`; Effect
 * clients inside one Effect run, never one `runPromise` per call.
 */
import * as Effect from "effect/Effect"
import type * as ManagedRuntime from "effect/ManagedRuntime"

/** One call of a client, in the client's own currency. It fails on a status ≥ 400 or a transport error. */
export type Call =
  | { readonly kind: "promise"; readonly run: (url: string) => Promise<unknown> }
  | {
    readonly kind: "effect"
    readonly run: (url: string) => Effect.Effect<unknown, unknown, any>
    readonly runtime: ManagedRuntime.ManagedRuntime<any, any>
  }

export interface LoopSpec {
  readonly url: string
  readonly concurrency: number
  readonly count: number
  readonly maxMillis: number
}

export interface LoopOutcome {
  readonly ok: number
  readonly failed: number
  readonly elapsedMillis: number
  /** user + system CPU of this process over the loop */
  readonly cpuMicros: number
  readonly rss: number
}

export const promiseCall = (run: (url: string) => Promise<unknown>): Call => ({ kind: "promise", run })

export const effectCall = (
  runtime: ManagedRuntime.ManagedRuntime<any, any>,
  run: (url: string) => Effect.Effect<unknown, unknown, any>
): Call => ({ kind: "effect", run, runtime })

export const runLoop = async (call: Call, spec: LoopSpec): Promise<LoopOutcome> => {
  const { concurrency, count, url } = spec
  let started = 0
  let ok = 0
  let failed = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const deadline = t0 + spec.maxMillis
  const more = () => started < count && performance.now() < deadline
  if (call.kind === "promise") {
    const run = call.run
    const worker = async () => {
      while (more()) {
        started++
        try {
          await run(url)
          ok++
        } catch {
          failed++
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  } else {
    const run = call.run
    const worker = Effect.whileLoop({
      while: more,
      body: () => {
        started++
        return Effect.exit(run(url))
      },
      step: (exit) => {
        if (exit._tag === "Success") ok++
        else failed++
      }
    })
    await call.runtime.runPromise(
      Effect.all(Array.from({ length: concurrency }, () => worker), { concurrency: "unbounded", discard: true })
    )
  }
  const elapsedMillis = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { ok, failed, elapsedMillis, cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage.rss() }
}

export interface PacedSpec {
  readonly url: string
  readonly calls: number
  readonly perSecond: number
}

/** An open loop's outcome: calls that succeeded and failed. */
export interface PacedOutcome {
  readonly ok: number
  readonly failed: number
  readonly elapsedMillis: number
}

/** An open loop: call `i` starts at `i / perSecond` seconds whatever the calls before it do. */
export const runPaced = async (call: Call, spec: PacedSpec): Promise<PacedOutcome> => {
  const { calls, perSecond, url } = spec
  let ok = 0
  let failed = 0
  const t0 = performance.now()
  const due = (i: number) => t0 + (i * 1000) / perSecond
  if (call.kind === "promise") {
    const run = call.run
    await Promise.all(Array.from({ length: calls }, async (_, i) => {
      const wait = due(i) - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      try {
        await run(url)
        ok++
      } catch {
        failed++
      }
    }))
  } else {
    const run = call.run
    const one = (i: number) =>
      Effect.suspend(() => {
        const wait = due(i) - performance.now()
        const go = Effect.map(Effect.exit(run(url)), (exit) => {
          if (exit._tag === "Success") ok++
          else failed++
        })
        return wait > 0 ? Effect.andThen(Effect.sleep(wait), go) : go
      })
    await call.runtime.runPromise(
      Effect.forEach(Array.from({ length: calls }, (_, i) => i), one, { concurrency: "unbounded", discard: true })
    )
  }
  return { ok, failed, elapsedMillis: performance.now() - t0 }
}
