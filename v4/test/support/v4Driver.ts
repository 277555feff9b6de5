/**
 * The v4 edition's driver for the shared behavioural suite (test/shared/ at the repository root): the plain specs
 * become the v4 public options, each request runs as one v4 Effect in the client's context, and how it ended becomes
 * plain data. Built only on the edition's public API (v4/src/index.ts).
 */
import { Cause, type Config, Duration, Effect, Layer, Option, PubSub, Schema, Stream } from "effect"
import { FetchHttpClient, HttpBody, HttpClientRequest } from "effect/http"
import type { Driver, Success } from "../../../test/shared/driver.js"
import { DriverConfigError } from "../../../test/shared/driver.js"
import { clientLayer, edition, type EditionLayers, success } from "../../../test/shared/translate.js"
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

const causes = { ...Cause, failureOption: Cause.findErrorOption }
const bodyStream = (chunks: ReadonlyArray<Uint8Array>) => Stream.fromArrays(...chunks.map((chunk) => [chunk]))
const modules = {
  bodyStream,
  Backoff,
  CircuitBreaker,
  HttpBody,
  HttpClientRequest,
  RetryPolicy,
  Cause: causes,
  Duration,
  Option
}
const { clientOptions, drive, requestOptions, settle, streamOf } = edition(modules)

/** The client layers a spec may ask for, over this edition's modules. */
const layers: EditionLayers<
  Layer.Layer<ResilientClient.ResilientClient, Config.ConfigError>,
  ResilientClient.ClientOptions
> = {
  plain: ResilientClient.layer,
  overFetch: (options) => Layer.provide(ResilientClient.layerFromHttpClient(options), FetchHttpClient.layer),
  overChaos: (options, chaos) =>
    ResilientClient.layerWithTransport(options).pipe(
      Layer.provide(HttpResilientTest.chaos(chaos as HttpResilientTest.ChaosOptions)),
      Layer.provide(Transport.layerUndici())
    )
}

/** A streaming call's verb, as a v4 `Stream` of its items. */
type Items = Stream.Stream<unknown, HttpResilientError.HttpResilientError, ResilientClient.ResilientClient>
const verbOf = streamOf<Items>({
  ...HttpResilient,
  ndjson: (url, options) => HttpResilient.ndjson(url, Schema.Unknown, options),
  take: Stream.take
})

/** The v4 edition's driver. */
export const v4Driver: Driver = {
  edition: "v4",
  withClient: async (spec, body) => {
    const program = Effect.scoped(Effect.gen(function*() {
      const options = yield* Effect.try({ try: () => clientOptions(spec), catch: (error) => error })
      const layer = clientLayer(spec, options, layers)
      const context = yield* Layer.build(layer).pipe(
        Effect.mapError((error) => new DriverConfigError(String(error.message)))
      )
      const subscription = yield* Effect.provide(ResilientClient.subscribe, context)
      const run = Effect.runPromiseExitWith(context)
      yield* Effect.tryPromise({
        try: () =>
          drive({
            ResilientClient,
            run: (effect) => run(effect as Effect.Effect<unknown, unknown, ResilientClient.ResilientClient>),
            request: (req, signal) => {
              const call = Effect.flatMap(
                HttpResilient.request(req.method, req.url, requestOptions(req)),
                (response) => Effect.map(response.text, (text) => success(response, text))
              )
              return run(call as Effect.Effect<Success, unknown, ResilientClient.ResilientClient>, { signal })
            },
            takeEvents: () => run(PubSub.takeUpTo(subscription, Number.MAX_SAFE_INTEGER)),
            stream: (req, onItem, signal) =>
              run(Stream.runForEach(verbOf(req), (item) => Effect.sync(() => onItem(item))), { signal })
          }, body),
        catch: (error) => error
      })
    }))
    settle(await Effect.runPromiseExit(program))
  }
}
