import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Agent } from "undici"
import { ResilientClient } from "../src/index.js"

// opening the sockets, refused connections and bad input: the shared suite (test/shared/pool.ts)
describe("warmUp", () => {
  it.scoped("a foreign dispatcher and an HttpClient are InvalidRequestError", () =>
    Effect.gen(function*() {
      const agent = new Agent()
      const foreign = yield* Effect.flip(
        ResilientClient.warmUp("http://127.0.0.1:1", 1).pipe(Effect.provide(ResilientClient.layerFromDispatcher(agent)))
      )
      assert.isTrue(foreign._tag === "InvalidRequestError" && foreign.detail.includes("own pool"))
      const overFetch = yield* Effect.flip(
        ResilientClient.warmUp("http://127.0.0.1:1", 1).pipe(
          Effect.provide(ResilientClient.layerFromHttpClient().pipe(Layer.provide(FetchHttpClient.layer)))
        )
      )
      assert.isTrue(overFetch._tag === "InvalidRequestError" && overFetch.detail.includes("an HttpClient"))
      yield* Effect.promise(() => agent.close())
    }).pipe(Effect.provide(ResilientClient.layer({}))))
})
