/**
 * A transport that answers every request at once with a 200, for a given copy of the library (its source, or the
 * `tsc` build the bench measures): what a call costs in the client and Effect alone, without sockets. Used by
 * `bench/instantClient.ts` (the source) and `bench/inMemory.ts` (the build). Built from the public API only.
 */
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Source from "../src/index.js"

/** What of the library the instant client needs. */
type Library = Pick<typeof Source, "ResilientClient" | "Transport">

const answer = {
  status: 200,
  statusText: "OK",
  headers: { "content-type": "text/plain" },
  setCookie: [],
  body: new Uint8Array(2),
  url: "http://bench.test/"
}

/** The default client of `lib` over the instant transport. */
export const instantClientOf = (
  lib: Library
): Layer.Layer<Source.ResilientClient.ResilientClient, ConfigError.ConfigError> =>
  Layer.provide(
    lib.ResilientClient.layerWithTransport({}),
    Layer.succeed(lib.Transport.Transport, {
      send: () => Effect.succeed(answer),
      stream: () => Effect.dieMessage("not used"),
      warmUp: () => Effect.void
    })
  )
