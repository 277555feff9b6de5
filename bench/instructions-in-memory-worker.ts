/**
 * One variant of a call, run `count` times one after another over an in-memory transport that answers at once, for
 * `bench/instructions-in-memory.ts` to count under valgrind: the client's own instructions, without sockets, nginx
 * or undici, whose timing moves the socket-based counts by several thousand instructions per request.
 *
 *   node bench/.tmp/instructions/bench/instructions-in-memory-worker.js <variant> <count>
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { HttpResilient, RetryPolicy } from "../src/index.js"
import type { ResilientClient } from "../src/index.js"
import { instantClient } from "./instantClient.js"

const [variant, countArg] = process.argv.slice(2)
const count = Number(countArg)

const url = "http://bench.test/x"

export const variants: Record<string, () => Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>> = {
  "get": () => HttpResilient.get(url),
  "get { headers, timeout }": () =>
    HttpResilient.get(url, { headers: { "x-tenant": "a", accept: "text/plain" }, timeout: "5 seconds" }),
  "get + Effect.retry(Schedule.recurs(3))": () => Effect.retry(HttpResilient.get(url), Schedule.recurs(3)),
  "get + Effect.retry(RetryPolicy.default)": () => Effect.retry(HttpResilient.get(url), RetryPolicy.default),
  "get { retry: RetryPolicy.default }": () => HttpResilient.get(url, { retry: RetryPolicy.default }),
  "get + HttpResilient.retry(RetryPolicy.default)": () =>
    HttpResilient.retry(HttpResilient.get(url), RetryPolicy.default)
}

const main = async () => {
  const make = variants[variant!]
  if (make === undefined) throw new Error(`unknown variant ${variant}`)
  const program = Effect.gen(function*() {
    for (let i = 0; i < count; i++) yield* make()
  })
  await Effect.runPromise(Effect.provide(program, instantClient))
}

if (variant !== undefined) main()
