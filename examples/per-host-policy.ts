/**
 * A policy per host: one client per upstream, each with its own base URL, timeout, breaker and retry policy.
 * Breakers are per origin, so one failing host never trips calls to another.
 *
 *   npx tsx examples/per-host-policy.ts
 */
import { Context, Effect, Layer } from "effect"
import { Backoff, CircuitBreaker, HttpResilient, ResilientClient, RetryPolicy } from "../src/index.js"
import { startLocalServer } from "./support/localServer.js"

const payments = await startLocalServer((_req, res) => res.writeHead(503).end()) // down
const catalog = await startLocalServer((_req, res) => res.end(JSON.stringify({ items: 3 })))

// two clients, each behind its own tag
class Payments extends Context.Tag("Payments")<Payments, ResilientClient.ResilientClientService>() {}
class Catalog extends Context.Tag("Catalog")<Catalog, ResilientClient.ResilientClientService>() {}

const clientAs = <I, S extends ResilientClient.ResilientClientService>(
  tag: Context.Tag<I, S>,
  options: ResilientClient.ClientOptions
) =>
  Layer.effect(
    tag,
    ResilientClient.ResilientClient as unknown as Effect.Effect<S, never, ResilientClient.ResilientClient>
  )
    .pipe(Layer.provide(ResilientClient.layer(options)))

const PaymentsLive = clientAs(Payments, {
  baseUrl: payments.url,
  timeout: "2 seconds",
  circuitBreaker: { strategy: CircuitBreaker.consecutive(2), breakDuration: "30 seconds" }
})
const CatalogLive = clientAs(Catalog, { baseUrl: catalog.url, timeout: "500 millis" })

// run a call against one of them
const using =
  <I>(tag: Context.Tag<I, ResilientClient.ResilientClientService>) =>
  <A, E>(effect: Effect.Effect<A, E, ResilientClient.ResilientClient>) =>
    Effect.flatMap(tag, (client) => Effect.provideService(effect, ResilientClient.ResilientClient, client))

const paymentsPolicy = RetryPolicy.make({ retries: 1, backoff: Backoff.constant("50 millis") })
const catalogPolicy = RetryPolicy.make({ retries: 4, backoff: Backoff.exponential({ base: "20 millis" }) })

const program = Effect.gen(function*() {
  for (let i = 0; i < 3; i++) {
    const charge = yield* HttpResilient.get("charges/1").pipe(
      Effect.retry(paymentsPolicy),
      using(Payments),
      Effect.either
    )
    yield* Effect.log(`payments: ${charge._tag === "Left" ? charge.left._tag : charge.right.status}`)
  }
  const items = yield* HttpResilient.get("items").pipe(Effect.retry(catalogPolicy), using(Catalog))
  yield* Effect.log(`catalog still answers: ${items.status}`)
})

await Effect.runPromise(program.pipe(Effect.provide(Layer.mergeAll(PaymentsLive, CatalogLive))))
await payments.close()
await catalog.close()
