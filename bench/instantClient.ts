/**
 * A client whose transport answers every request at once with a 200: what a call costs in the client and Effect
 * alone, without sockets. Used by `bench/instructions-in-memory-worker.ts`, `bench/hops-worker.ts` and
 * `test/RetryPolicy.bench.ts`. Built from the public API only.
 */
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ResilientClient, Transport } from "../src/index.js"

const answer = {
  status: 200,
  statusText: "OK",
  headers: { "content-type": "text/plain" },
  setCookie: [],
  body: new Uint8Array(2),
  url: "http://bench.test/"
}

const instant = Layer.succeed(Transport.Transport, {
  send: () => Effect.succeed(answer),
  stream: () => Effect.dieMessage("not used"),
  warmUp: () => Effect.void
})

/** The default client over the instant transport. */
export const instantClient: Layer.Layer<ResilientClient.ResilientClient, ConfigError.ConfigError> = Layer.provide(
  ResilientClient.layerWithTransport({}),
  instant
)
