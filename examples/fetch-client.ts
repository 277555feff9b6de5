/**
 * Running over `@effect/platform`'s `FetchHttpClient` instead of undici's pool — for runtimes where fetch is
 * the only client. Retries, breakers and budgets work the same.
 *
 *   npx tsx examples/fetch-client.ts
 */
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import { HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { startLocalServer } from "./support/localServer.js"

let calls = 0
const api = await startLocalServer((_req, res) => {
  calls++
  if (calls < 3) return void res.writeHead(502).end()
  res.end("hello over fetch")
})

const Client = ResilientClient.layerFromHttpClient({ timeout: "2 seconds" }).pipe(Layer.provide(FetchHttpClient.layer))

const program = HttpResilient.get(api.url).pipe(
  Effect.retry(RetryPolicy.default),
  Effect.flatMap((response) => response.text),
  Effect.tap((text) => Effect.log(`${text} (after ${calls} requests)`))
)

await Effect.runPromise(program.pipe(Effect.provide(Client)))
await api.close()
