/**
 * POST with an idempotency key: retried safely, with the same key on every attempt. Without a key a POST is
 * never retried, so a payment or an order is never sent twice.
 *
 *   npx tsx examples/post-idempotency.ts
 */
import { Effect } from "effect"
import { HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { startLocalServer } from "./support/localServer.js"

const keysSeen: Array<string | undefined> = []
const api = await startLocalServer((req, res) => {
  keysSeen.push(req.headers["idempotency-key"] as string | undefined)
  // the first attempt of each order is lost to a 503
  if (keysSeen.length % 2 === 1) return void res.writeHead(503).end()
  res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ order: "A-17" }))
})

const program = Effect.gen(function*() {
  const created = yield* HttpResilient.post(`${api.url}/orders`, {
    json: { sku: "book-42", quantity: 1 },
    idempotencyKey: true // generated once, reused on every attempt
  }).pipe(Effect.retry(RetryPolicy.default))
  yield* Effect.log(`status ${created.status}; keys sent: ${keysSeen.join(", ")}`)

  // without a key: one request, and the 503 is the answer
  keysSeen.length = 0
  const refused = yield* HttpResilient.post(`${api.url}/orders`, { json: { sku: "book-43" } }).pipe(
    Effect.retry(RetryPolicy.default),
    Effect.flip
  )
  yield* Effect.log(`without a key: ${refused.message}; requests sent: ${keysSeen.length}`)
})

await Effect.runPromise(program.pipe(Effect.provide(ResilientClient.layer({}))))
await api.close()
