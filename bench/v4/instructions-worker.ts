/**
 * One variant of a v4 edition call, run `count` times one after another over an in-memory transport that answers at
 * once, for `bench/v4/instructions-compare.ts` to count under valgrind: the edition's own instructions and Effect v4's,
 * without sockets, nginx or undici's I/O. Each answer is a fresh `UndiciRawResponse` over nginx's header lines for
 * `/ok` (the core's own response type, its headers parsed on first read), so the header parsing the real transport
 * costs is counted too. The client is the default one (`make({})`: breaker, retry budget, metrics), the bench's.
 *
 *   node bench/.tmp/v4-compare-head/bench/v4/instructions-worker.js <variant> <count>
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { UndiciRawResponse } from "../../src/core/exchange.js"
import { HttpResilient, RetryPolicy } from "../../v4/src/index.js"
import { make } from "../../v4/src/internal/client.js"
import { ResilientClient } from "../../v4/src/internal/service.js"
import type { Transport } from "../../v4/src/internal/transport.js"

const [variant, countArg] = process.argv.slice(2)
const count = Number(countArg)

const url = "http://bench.test/ok"

const headerLines = [
  ["Server", "nginx/1.22.1"],
  ["Date", "Fri, 04 Dec 2026 15:00:00 GMT"],
  ["Content-Type", "text/plain"],
  ["Content-Length", "2"],
  ["Connection", "keep-alive"]
].flat().map((s) => Buffer.from(s, "latin1"))
const body = new TextEncoder().encode("ok")

// like the undici transport, it keeps its own attempt timer (`timesOut`; a tree without that field reads no more than
// `send`, and runs it under an Effect timeout as its undici transport was)
const instant = {
  timesOut: true,
  send: () => Effect.succeed(new UndiciRawResponse(200, "OK", headerLines, body, url))
}
const transport: Transport = instant

export const variants: Record<string, () => Effect.Effect<unknown, unknown, ResilientClient>> = {
  "get": () => HttpResilient.get(url),
  "get + text": () => Effect.flatMap(HttpResilient.get(url), (response) => response.text),
  "get + Effect.retry(RetryPolicy.default)": () => Effect.retry(HttpResilient.get(url), RetryPolicy.default)
}

const main = async () => {
  const call = variants[variant!]
  if (call === undefined) throw new Error(`unknown variant ${variant}; known: ${Object.keys(variants).join(", ")}`)
  const program = Effect.gen(function*() {
    for (let i = 0; i < count; i++) yield* call()
  })
  await Effect.runPromise(Effect.provide(program, Layer.effect(ResilientClient, make({}, transport))))
}

if (variant !== undefined) main()
