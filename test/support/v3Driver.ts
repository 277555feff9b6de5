/**
 * The v3 entry's driver for the shared behavioural suite (test/shared/): the plain specs become the public v3
 * options, each request runs as one Effect on the client's runtime, and how it ended becomes plain data.
 * Built only on the public API (src/index.ts).
 */
import { FetchHttpClient, HttpBody, HttpClientRequest } from "@effect/platform"
import { Cause, Duration, Effect, Layer, Option, Queue, Runtime, Schema, Stream } from "effect"
import type { HttpResilientError } from "../../src/index.js"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  HttpResilientTest,
  ResilientClient,
  RetryPolicy,
  Transport
} from "../../src/index.js"
import type { Driver } from "../shared/driver.js"
import { DriverConfigError } from "../shared/driver.js"
import { clientLayer, edition, type EditionLayers, success } from "../shared/translate.js"

const bodyStream = (chunks: ReadonlyArray<Uint8Array>) => Stream.rechunk(Stream.fromIterable(chunks), 1)
const modules = {
  bodyStream,
  Backoff,
  CircuitBreaker,
  HttpBody,
  HttpClientRequest,
  RetryPolicy,
  Cause,
  Duration,
  Option
}
const { clientOptions, drive, requestOptions, settle, streamOf } = edition(modules)

/** The client layers a spec may ask for, over this edition's modules. */
const layers: EditionLayers<Layer.Layer<ResilientClient.ResilientClient, unknown>, ResilientClient.ClientOptions> = {
  plain: ResilientClient.layer,
  overFetch: (options) => Layer.provide(ResilientClient.layerFromHttpClient(options), FetchHttpClient.layer),
  overChaos: (options, chaos) =>
    ResilientClient.layerWithTransport(options).pipe(
      Layer.provide(HttpResilientTest.chaos(chaos as HttpResilientTest.ChaosOptions)),
      Layer.provide(Transport.layerUndici())
    )
}

/** A streaming call's verb, as a v3 `Stream` of its items. */
type Items = Stream.Stream<unknown, HttpResilientError.HttpResilientError, ResilientClient.ResilientClient>
const verbOf = streamOf<Items>({
  ...HttpResilient,
  ndjson: (url, options) => HttpResilient.ndjson(url, Schema.Unknown, options),
  take: Stream.take
})

/** The v3 entry's driver. */
export const v3Driver: Driver = {
  edition: "v3",
  withClient: async (spec, body) => {
    const program = Effect.scoped(Effect.gen(function*() {
      const options = clientOptions(spec)
      const layer = clientLayer(spec, options, layers)
      const context = yield* Layer.build(layer).pipe(
        Effect.mapError((error) => new DriverConfigError(String(error)))
      )
      const runtime = yield* Effect.provide(Effect.runtime<ResilientClient.ResilientClient>(), context)
      const dequeue = yield* Effect.provide(ResilientClient.subscribe, context)
      const run = Runtime.runPromiseExit(runtime)
      yield* Effect.tryPromise({
        try: () =>
          drive({
            ResilientClient,
            run: (effect) => run(effect as Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>),
            request: (req, signal) => {
              const call = Effect.flatMap(
                HttpResilient.request(req.method, req.url, requestOptions(req)),
                (response) => Effect.map(HttpResilient.text(response), (text) => success(response, text))
              )
              return run(call, { signal })
            },
            takeEvents: () => run(Queue.takeAll(dequeue)),
            stream: (req, onItem, signal) =>
              run(Stream.runForEach(verbOf(req), (item) => Effect.sync(() => onItem(item))), { signal })
          }, body),
        catch: (error) => error
      })
    }))
    settle(await Effect.runPromiseExit(program))
  }
}
