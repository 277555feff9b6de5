import { assert, describe, it } from "@effect/vitest"
import { ConfigError, Effect, Exit, Layer } from "effect"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { serverScoped } from "./support/server.js"

/** A real server on loopback that records the query and answers 200, or 404 for /missing. */
const recording = serverScoped((req, res) => {
  res.statusCode = req.url?.startsWith("/missing") ? 404 : 200
  res.end()
})

describe("the client option urlParams", () => {
  it.scopedLive("are sent with every request: the URL's own query, then the client's, then the request's", () =>
    Effect.gen(function*() {
      const server = yield* recording
      yield* Effect.gen(function*() {
        yield* HttpResilient.get(`${server.url}/x?own=0`, { urlParams: { a: "2", b: "3" } })
        yield* HttpResilient.get(`${server.url}/y`)
        yield* HttpResilient.get(`${server.url}/z`, { urlParams: [["a", "4"]] })
      }).pipe(Effect.provide(ResilientClient.layer({ urlParams: [["a", "1"], ["v", "x y"]] })))
      assert.deepStrictEqual(server.received.map((r) => r.url), [
        "/x?own=0&a=1&v=x+y&a=2&b=3",
        "/y?a=1&v=x+y",
        "/z?a=1&v=x+y&a=4"
      ])
    }))

  it.scopedLive("take the request option's shapes (a record, pairs, URLSearchParams)", () =>
    Effect.gen(function*() {
      const server = yield* recording
      for (
        const urlParams of [{ n: 1, t: true }, [["n", "1"], ["t", "true"]] as const, new URLSearchParams("n=1&t=true")]
      ) {
        yield* HttpResilient.get(`${server.url}/x`).pipe(Effect.provide(ResilientClient.layer({ urlParams })))
      }
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/x?n=1&t=true", "/x?n=1&t=true", "/x?n=1&t=true"])
    }))

  it.scopedLive("a secret among them reaches the server but is redacted in the error", () =>
    Effect.gen(function*() {
      const server = yield* recording
      const error = yield* Effect.flip(
        HttpResilient.get(`${server.url}/missing`).pipe(
          Effect.provide(ResilientClient.layer({ urlParams: { api_key: "s3cr3t", page: "1" } }))
        )
      )
      assert.strictEqual(server.received[0].url, "/missing?api_key=s3cr3t&page=1")
      if (error._tag !== "StatusError") return assert.fail(`expected a StatusError, got ${error._tag}`)
      assert.notInclude(error.url, "s3cr3t")
      assert.notInclude(error.message, "s3cr3t")
      assert.notInclude(JSON.stringify(error), "s3cr3t")
      assert.include(error.url, "page=1")
    }))

  it.effect("a bad value is a ConfigError naming the option", () =>
    Effect.gen(function*() {
      for (const urlParams of [5, "a=1", { a: {} }, [["a"]], null]) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(ResilientClient.layer({ urlParams } as any))))
        assert.isTrue(Exit.isFailure(exit), String(urlParams))
        if (Exit.isFailure(exit)) {
          const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          assert.isTrue(ConfigError.isConfigError(failure), String(urlParams))
          assert.include(String(failure), "urlParams")
        }
      }
    }))
})
