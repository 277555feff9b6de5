/**
 * The loops every client runs, in both benches (bench/ for the v3 clients, bench/v4/ for Effect v4's): a closed loop
 * (`concurrency` workers, each starting its next call when its previous one ends, until `count` calls have started or
 * `maxMillis` has passed) and an open loop (call `i` starts at `i / perSecond` s). Promise clients loop with `await`;
 * Effect clients loop inside one Effect run (as an Effect application would call them), never one `runPromise` per
 * call.
 *
 * No `effect` import: each bench has its own copy of Effect (v3 at the root, v4 in bench/v4), so an Effect client's
 * call brings its edition's `Effect` module (see {@link effectCallOf}), typed structurally here.
 */

/** An Effect of either edition, opaque here (`any`: each edition's functions are generic over their own Effect). */
type Eff = any

/** The `Effect` functions the loops use: v3 and v4 have them under the same names. */
export interface EffectModule {
  whileLoop(options: { while: () => boolean; body: () => Eff; step: (exit: { readonly _tag: string }) => void }): Eff
  exit(self: Eff): Eff
  all(effects: ReadonlyArray<Eff>, options: { concurrency: "unbounded"; discard: true }): Eff
  suspend(f: () => Eff): Eff
  map(self: Eff, f: (exit: { readonly _tag: string }) => void): Eff
  andThen(self: Eff, next: Eff): Eff
  sleep(millis: number): Eff
}

/** One call of a client, in the client's own currency. It fails on a status ≥ 400 or a transport error. */
export type Call =
  | { readonly kind: "promise"; readonly run: (url: string) => Promise<unknown> }
  | {
    readonly kind: "effect"
    readonly Effect: EffectModule
    readonly run: (url: string) => Eff
    /** the client's `ManagedRuntime` */
    readonly runtime: { readonly runPromise: (effect: never) => Promise<unknown> }
  }

/** What every client offers the harness, in both benches (each bench's `ClientInstance` adds its other calls). */
export interface ClientBase {
  /** GET a URL and read its body; fails on a status ≥ 400. */
  readonly get: Call
  /** How the client's retrying call retries, for the tables. */
  readonly retryLabel?: string | undefined
  readonly close: () => Promise<void>
}

/** A client under comparison: a name, a label and `make`, which returns its calls. */
export interface ClientDefinitionOf<I extends ClientBase> {
  readonly name: string
  readonly label: string
  readonly make: () => Promise<I>
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

/**
 * `effectCall(runtime, run)` for an edition: `run` returns one of its Effects, run inside one run of `runtime` (a
 * `ManagedRuntime`). Each bench binds it to its `Effect` module: `const effectCall = effectCallOf(Effect)`.
 */
export const effectCallOf =
  (Effect: EffectModule) =>
  <R extends { readonly runPromise: (effect: never) => Promise<unknown> }>(
    runtime: R,
    run: (url: string) => Eff
  ): Call => ({
    kind: "effect",
    Effect,
    run,
    runtime
  })

/** Runs an Effect of the call's edition in its runtime. */
const runIn = (call: Extract<Call, { kind: "effect" }>, effect: Eff) => call.runtime.runPromise(effect as never)

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
    const { Effect, run } = call
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
    await runIn(
      call,
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

/** Per call of an open loop: when it started (epoch ms), whether it succeeded, how long it took (ms). */
export interface PacedOutcome {
  readonly starts: ReadonlyArray<number>
  readonly oks: ReadonlyArray<0 | 1>
  readonly latencies: ReadonlyArray<number>
}

/**
 * An open loop: call `i` starts at `i / perSecond` seconds whatever the calls before it do (so a slow call does not
 * hold back the next), as traffic from many users does. Effect clients run it inside one Effect run.
 */
export const runPaced = async (call: Call, spec: PacedSpec): Promise<PacedOutcome> => {
  const { calls, perSecond, url } = spec
  const starts = new Array<number>(calls).fill(0)
  const oks = new Array<0 | 1>(calls).fill(0)
  const latencies = new Array<number>(calls).fill(0)
  const t0 = performance.now()
  const origin = Date.now() - t0
  const due = (i: number) => t0 + (i * 1000) / perSecond
  const done = (i: number, started: number, ok: boolean) => {
    starts[i] = origin + started
    latencies[i] = performance.now() - started
    oks[i] = ok ? 1 : 0
  }
  if (call.kind === "promise") {
    const run = call.run
    await Promise.all(Array.from({ length: calls }, async (_, i) => {
      const wait = due(i) - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const started = performance.now()
      try {
        await run(url)
        done(i, started, true)
      } catch {
        done(i, started, false)
      }
    }))
  } else {
    const { Effect, run } = call
    await runIn(
      call,
      Effect.all(
        Array.from({ length: calls }, (_, i) =>
          Effect.suspend(() => {
            const wait = due(i) - performance.now()
            const go = Effect.suspend(() => {
              const started = performance.now()
              return Effect.map(Effect.exit(run(url)), (exit) => done(i, started, exit._tag === "Success"))
            })
            return wait > 0 ? Effect.andThen(Effect.sleep(wait), go) : go
          })),
        { concurrency: "unbounded", discard: true }
      )
    )
  }
  return { starts, oks, latencies }
}

/**
 * A closed loop after a short unmeasured one (at most 20 calls per worker): every client starts its measured run
 * warm, however long it sat idle.
 */
export const runWarm = async (call: Call, spec: LoopSpec): Promise<LoopOutcome> => {
  await runLoop(call, { ...spec, count: Math.min(spec.count, 20 * spec.concurrency) })
  return runLoop(call, spec)
}

/** `f` with a fresh instance of a client (no retry budget or pool state carried over), closed afterwards. */
export const withFresh = async <I extends { readonly close: () => Promise<void> }, A>(
  make: () => Promise<I>,
  f: (instance: I) => Promise<A>
): Promise<A> => {
  const instance = await make()
  try {
    return await f(instance)
  } finally {
    await instance.close()
  }
}
