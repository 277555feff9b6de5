/**
 * Quickstart: a GET retried with the default policy, its JSON decoded with a schema.
 *
 *   npx tsx examples/quickstart.ts
 *
 * (In your project, import from "effect-http-resilient".)
 */
import { Effect, Schema } from "effect"
import { HttpResilient, ResilientClientLive, RetryPolicy } from "../src/index.js"
import { startLocalServer } from "./support/localServer.js"

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })

// the first request gets a 503; the retry gets the user
let calls = 0
const api = await startLocalServer((_req, res) => {
  calls++
  if (calls === 1) return void res.writeHead(503).end()
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: 1, name: "Ada" }))
})

const program = HttpResilient.get(`${api.url}/users/1`).pipe(
  Effect.retry(RetryPolicy.default), // 3 retries, exponential backoff with jitter, Retry-After honoured
  Effect.flatMap(HttpResilient.json(User)), // DecodeError if the body does not match
  Effect.tap((user) => Effect.log(`got ${user.name} after ${calls} requests`))
)

await Effect.runPromise(program.pipe(Effect.provide(ResilientClientLive)))
await api.close()
