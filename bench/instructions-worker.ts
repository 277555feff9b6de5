/**
 * One variant of a call, run `count` times by 64 fibers against the benchmark's nginx, for `bench/instructions.ts`
 * to count under valgrind. Not a benchmark by itself: it prints nothing.
 *
 * `bench/instructions.ts` runs it from its `tsc` build:
 *
 *   node bench/.tmp/instructions/bench/instructions-worker.js <origin> <variant> <count>
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import * as Undici from "undici"
import { HttpResilient, ResilientClientLive, RetryPolicy } from "../src/index.js"
import { asyncDispatch } from "./floor.js"

const [origin, variant, countArg] = process.argv.slice(2)
const count = Number(countArg)
let agent: Undici.Agent | undefined
const dispatcher = () => agent ??= new Undici.Agent({ connections: 128 })

/** The bare floor (the throughput table's): an `Effect.async` over `dispatcher.dispatch`. */
const floor = (url: URL) => asyncDispatch(dispatcher(), url)

export const variants: Record<string, (url: string) => Effect.Effect<unknown, unknown, any>> = {
  "floor": (url) => floor(new URL(url)),
  "floor + Effect.retry(Schedule.recurs(3))": (url) => Effect.retry(floor(new URL(url)), Schedule.recurs(3)),
  "get": (url) => HttpResilient.get(url),
  "get + Effect.retry(Schedule.recurs(3))": (url) => Effect.retry(HttpResilient.get(url), Schedule.recurs(3)),
  "get + Effect.retry(RetryPolicy.default)": (url) => Effect.retry(HttpResilient.get(url), RetryPolicy.default),
  "get { retry: RetryPolicy.default }": (url) => HttpResilient.get(url, { retry: RetryPolicy.default }),
  "get + HttpResilient.retry(RetryPolicy.default)": (url) =>
    HttpResilient.retry(HttpResilient.get(url), RetryPolicy.default)
}

/** The reference of the throughput table: raw undici `request`, awaited in a plain promise loop. */
export const reference = "raw undici request"

const referenceLoop = async (url: string) => {
  let started = 0
  const worker = async () => {
    while (started < count) {
      started++
      try {
        const response = await Undici.request(url, { dispatcher: dispatcher() })
        await response.body.arrayBuffer()
      } catch {
        // counted like a failed call of the Effect variants: not at all
      }
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker))
  await agent?.close()
}

const main = async () => {
  if (variant === reference) return referenceLoop(`${origin}/ok`)
  const run = variants[variant!]
  if (run === undefined) throw new Error(`unknown variant ${variant}`)
  const runtime = ManagedRuntime.make(ResilientClientLive)
  const url = `${origin}/ok`
  let started = 0
  const worker = Effect.whileLoop({
    while: () => started < count,
    body: () => {
      started++
      return Effect.exit(run(url))
    },
    step: () => {}
  })
  await runtime.runPromise(
    Effect.all(Array.from({ length: 64 }, () => worker), { concurrency: "unbounded", discard: true })
  )
  await runtime.dispose()
  await agent?.close()
}

if (variant !== undefined) main()
