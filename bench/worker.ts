/**
 * One client in its own process (pinned to core 1 by the harness). It answers the harness's tasks over IPC,
 * one at a time: `node --import tsx bench/worker.ts <client name>`.
 */
import { type ClientInstance, clientNamed } from "./clients.js"
import { serve } from "./ipc.js"
import {
  type Call,
  type LoopOutcome,
  type LoopSpec,
  type PacedOutcome,
  runLoop,
  runPaced,
  runWarm,
  withFresh
} from "./loop.js"

export type Task =
  | ({ readonly type: "throughput" } & LoopSpec)
  | {
    readonly type: "retries"
    readonly url: string
    readonly retries: number
    readonly calls: number
    readonly concurrency: number
    readonly maxMillis: number
  }
  | {
    readonly type: "soak"
    readonly url: string
    readonly concurrency: number
    readonly warmup: number
    readonly count: number
    readonly maxMillis: number
  }
  | { readonly type: "big"; readonly url: string; readonly mode: "streamed" | "buffered"; readonly warmUrl: string }
  | {
    /** a closed loop of the client's default retrying call (ours: `Effect.retry(get, RetryPolicy.default)`) */
    readonly type: "faults"
    readonly url: string
    readonly calls: number
    readonly concurrency: number
    readonly maxMillis: number
  }
  | {
    /** an open loop: `policy` is the default retrying call, `plain` the bare get, `hedged` the get hedged */
    readonly type: "paced"
    readonly mode: "policy" | "plain" | "hedged"
    readonly url: string
    readonly calls: number
    readonly perSecond: number
    readonly hedgeDelay?: string | undefined
    /** calls to `warmUrl` before, unmeasured, on the same client */
    readonly warmUrl?: string | undefined
    readonly warmCalls?: number | undefined
  }
  | { readonly type: "close" }

export type TaskResult =
  | { readonly type: "throughput"; readonly outcome: LoopOutcome }
  | { readonly type: "retries"; readonly outcome: LoopOutcome | undefined }
  | {
    readonly type: "soak"
    readonly outcome: LoopOutcome
    readonly rssStart: number
    readonly rssEnd: number
    /** RSS after each tenth of the soak */
    readonly samples: ReadonlyArray<number>
    readonly heapStart: number
    readonly heapEnd: number
  }
  | { readonly type: "big"; readonly baseline: number; readonly peak: number; readonly ok: boolean }
  | { readonly type: "faults"; readonly outcome: LoopOutcome | undefined }
  | { readonly type: "paced"; readonly outcome: PacedOutcome | undefined }
  | {
    readonly type: "unsupported"
  }
  | { readonly type: "closed" }

const definition = clientNamed(process.argv[2] ?? "")
let instance: ClientInstance | undefined
const client = async () => instance ??= await definition.make()

/** Peak RSS while `f` runs: sampled every 2 ms, and the kernel's high-water mark when it rose during the run. */
const peakRss = async (f: () => Promise<unknown>): Promise<{ peak: number; ok: boolean }> => {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 2)
  const highBefore = process.resourceUsage().maxRSS * 1024
  let ok = true
  try {
    await f()
  } catch {
    ok = false
  }
  clearInterval(timer)
  const highAfter = process.resourceUsage().maxRSS * 1024
  return { peak: highAfter > highBefore ? Math.max(peak, highAfter) : Math.max(peak, process.memoryUsage.rss()), ok }
}

const once = (call: Call, url: string) => runLoop(call, { url, concurrency: 1, count: 1, maxMillis: 60_000 })

const handle = async (task: Task): Promise<TaskResult> => {
  switch (task.type) {
    case "throughput":
      return { type: "throughput", outcome: await runWarm((await client()).get, task) }
    case "retries": {
      // a fresh instance: no retry budget or pool state carried over from other tasks
      return withFresh(definition.make, async (fresh) => {
        if (fresh.retrying === undefined) return { type: "retries", outcome: undefined }
        return {
          type: "retries",
          outcome: await runLoop(fresh.retrying(task.retries), {
            url: task.url,
            concurrency: task.concurrency,
            count: task.calls,
            maxMillis: task.maxMillis
          })
        }
      })
    }
    case "soak": {
      const c = await client()
      await runLoop(c.get, { ...task, count: task.warmup })
      global.gc?.()
      const heapStart = process.memoryUsage().heapUsed
      // ten segments, RSS sampled after each (after a GC): start and end are medians of the first and last three,
      // so one sample caught mid-way through the allocator's ups and downs does not decide
      const samples: Array<number> = []
      const until = performance.now() + task.maxMillis
      let ok = 0
      let failed = 0
      let cpuMicros = 0
      const t0 = performance.now()
      for (let segment = 0; segment < 10; segment++) {
        const o = await runLoop(c.get, {
          ...task,
          count: Math.ceil(task.count / 10),
          maxMillis: Math.max(0, until - performance.now())
        })
        ok += o.ok
        failed += o.failed
        cpuMicros += o.cpuMicros
        global.gc?.()
        samples.push(process.memoryUsage.rss())
      }
      const median3 = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[1]
      return {
        type: "soak",
        outcome: { ok, failed, cpuMicros, elapsedMillis: performance.now() - t0, rss: samples[samples.length - 1] },
        rssStart: median3(samples.slice(0, 3)),
        rssEnd: median3(samples.slice(-3)),
        samples,
        heapStart,
        heapEnd: process.memoryUsage().heapUsed
      }
    }
    case "big": {
      const c = await client()
      const call = task.mode === "streamed" ? c.streamed : c.buffered
      if (call === undefined) return { type: "unsupported" }
      await once(c.get, task.warmUrl)
      global.gc?.()
      const baseline = process.memoryUsage.rss()
      const { ok, peak } = await peakRss(async () => {
        const outcome = await once(call, task.url)
        if (outcome.ok !== 1) throw new Error("failed")
      })
      return { type: "big", baseline, peak, ok }
    }
    case "faults": {
      return withFresh(definition.make, async (fresh) => {
        const call = fresh.policyDefault ?? fresh.retrying?.(3)
        if (call === undefined) return { type: "faults", outcome: undefined }
        return {
          type: "faults",
          outcome: await runLoop(call, {
            url: task.url,
            concurrency: task.concurrency,
            count: task.calls,
            maxMillis: task.maxMillis
          })
        }
      })
    }
    case "paced": {
      return withFresh(definition.make, async (fresh) => {
        const call = task.mode === "policy"
          ? fresh.policyDefault ?? fresh.retrying?.(3)
          : task.mode === "hedged"
          ? fresh.hedged?.(task.hedgeDelay ?? "50 millis")
          : fresh.get
        if (call === undefined) return { type: "paced", outcome: undefined }
        if (task.warmUrl !== undefined) {
          await runLoop(fresh.get, {
            url: task.warmUrl,
            concurrency: 16,
            count: task.warmCalls ?? 1000,
            maxMillis: 10_000
          })
        }
        return { type: "paced", outcome: await runPaced(call, task) }
      })
    }
    case "close":
      await instance?.close()
      return { type: "closed" }
  }
}

serve(handle)
