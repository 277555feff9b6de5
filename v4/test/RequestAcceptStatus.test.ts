import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { HttpResilient, HttpResilientTest } from "effect-http-resilient/v4"

const url = "http://api.test/jobs/7"

describe("request acceptStatus (the root entry's rule)", () => {
  it.effect("a bad value is an InvalidRequestError naming the option and the value, before anything is sent", () =>
    Effect.gen(function*() {
      for (const acceptStatus of [[], [99], [[300, 200]], "200", 200]) {
        const error = yield* Effect.flip(HttpResilient.get(url, { acceptStatus } as any))
        assert.strictEqual(error._tag, "InvalidRequestError")
        if (error._tag !== "InvalidRequestError") return
        assert.strictEqual(error.reason, "InvalidOption")
        assert.include(error.message, "acceptStatus: expected a predicate or a non-empty list")
        assert.include(error.message, `got ${JSON.stringify(acceptStatus)}`)
      }
      const streamed = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(url, { acceptStatus: [] } as any)))
      assert.strictEqual(streamed._tag, "InvalidRequestError")
      assert.strictEqual((yield* HttpResilientTest.requests).length, 0)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))

  it.effect("a valid list replaces the client's", () =>
    Effect.gen(function*() {
      const response = yield* HttpResilient.get(url, { acceptStatus: [[200, 299], 404] })
      assert.strictEqual(response.status, 404)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(404)]))))
})
