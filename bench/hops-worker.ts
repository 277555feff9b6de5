/**
 * Counts the project's functions one call runs through, for `bench/hops.ts`: V8's precise coverage (call counts per
 * function) is reset after warm-up calls, one more call runs, and every function of `src/` that ran is listed with
 * its file (the line is the compiled file's) and how often it ran. Two transports: `memory` (a transport that answers at once: the client alone) and
 * `undici` (the default transport against a loopback node:http server: the client and its transport).
 *
 *   node bench/.tmp/instructions/bench/hops-worker.js <memory|undici> <variant>
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs"
import * as http from "node:http"
import inspector from "node:inspector/promises"
import type { AddressInfo } from "node:net"
import { HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { instantClient } from "./instantClient.js"

/** The calls counted, by name. */
export const calls: Record<string, (url: string) => Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>> =
  {
    "get": (url) => HttpResilient.get(url),
    "get { retry: RetryPolicy.default }": (url) => HttpResilient.get(url, { retry: RetryPolicy.default }),
    "get + Effect.retry(RetryPolicy.default)": (url) => Effect.retry(HttpResilient.get(url), RetryPolicy.default)
  }

/** One function of `src/` that ran during the counted call. */
export interface Hop {
  readonly file: string
  readonly name: string
  readonly line: number
  readonly count: number
}

const lineOf = (source: string, offset: number): number => {
  let line = 1
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++
  return line
}

const main = async (transport: string, variant: string) => {
  const call = calls[variant]
  if (call === undefined) throw new Error(`unknown call ${variant}`)
  const server = http.createServer((_req, res) => res.end("ok"))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`
  const layer: Layer.Layer<ResilientClient.ResilientClient, unknown> = transport === "memory"
    ? instantClient
    : ResilientClient.layer()
  const session = new inspector.Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false })
  const hops = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(layer)
    const run = Effect.provide(call(url), context)
    for (let i = 0; i < 20; i++) yield* run
    yield* Effect.promise(() => session.post("Profiler.takePreciseCoverage")) // resets the counters
    yield* run
    return yield* Effect.promise(() => session.post("Profiler.takePreciseCoverage"))
  })))
  const out: Array<Hop> = []
  for (const script of hops.result) {
    const at = script.url.indexOf("/src/")
    if (at < 0 || script.url.includes("node_modules")) continue
    const file = script.url.slice(at + 1).replace(/\.js$/, ".ts")
    let source: string | undefined
    for (const fn of script.functions) {
      const range = fn.ranges[0]
      if (range.count === 0 || (fn.functionName === "" && range.startOffset === 0)) continue
      source ??= fs.readFileSync(new URL(script.url), "utf8")
      out.push({
        file,
        name: fn.functionName || "(anonymous)",
        line: lineOf(source, range.startOffset),
        count: range.count
      })
    }
  }
  server.close()
  process.stdout.write(JSON.stringify(out))
}

const [transport, variant] = process.argv.slice(2)
if (transport !== undefined && variant !== undefined) {
  main(transport, variant).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
