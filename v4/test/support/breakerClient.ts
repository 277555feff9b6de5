/**
 * A process with its own v4 client whose breaker lives in Redis (CircuitBreaker.persisted over
 * CircuitBreakerRedis): `tsx breakerClient.ts <redis url> <prefix> <url> <calls>` makes `calls` GETs one after the
 * other and prints the outcome of each (`200` or the error's tag) as a JSON list.
 */
import { Effect, Layer } from "effect"
import * as PersistedBreaker from "effect/persistence/CircuitBreaker"
import * as CircuitBreakerRedis from "../../src/CircuitBreakerRedis.js"
import { CircuitBreaker, HttpResilient, ResilientClient } from "../../src/index.js"

const [redisUrl, prefix, url, calls] = process.argv.slice(2)

const Client = ResilientClient.layer({
  circuitBreaker: CircuitBreaker.persisted({
    tripPolicy: PersistedBreaker.consecutive(3),
    openDuration: "1 minute"
  }),
  retryBudget: false
}).pipe(Layer.provide(CircuitBreakerRedis.layer({ url: redisUrl, prefix })))

const program = Effect.gen(function*() {
  const outcomes: Array<string | number> = []
  for (let i = 0; i < Number(calls); i++) {
    const exit = yield* Effect.exit(HttpResilient.get(url))
    outcomes.push(exit._tag === "Success" ? exit.value.status : exit.cause.reasons.length > 0 ? tagOf(exit.cause) : "?")
  }
  return outcomes
})

const tagOf = (cause: any): string => {
  for (const reason of cause.reasons) if (reason._tag === "Fail") return reason.error._tag
  return "defect"
}

Effect.runPromise(program.pipe(Effect.provide(Client))).then(
  (outcomes) => console.log(JSON.stringify(outcomes)),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
