/**
 * The client's layers (from options; `layerConfig`, from the environment, is in `client.ts`).
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Undici from "undici"
import { internalsOf, make, ResilientClient } from "./client.js"
import { type ClientOptions, resolveConfig, type ResolvedConfig, withAcceptEncoding } from "./config.js"
import { loadCookieJar } from "./cookies.js"
import * as RateLimiter from "./rateLimiter.js"
import * as Transport from "./transport.js"

/** `cookies: true` made a jar of tough-cookie's, loaded now (only then: without the option it is never loaded). */
const withCookieJar = (config: ResolvedConfig): Effect.Effect<ResolvedConfig, ConfigError.ConfigError> =>
  config.options.cookies === true
    ? Effect.map(loadCookieJar(), (cookieJar) => ({ ...config, cookieJar }))
    : Effect.succeed(config)

/** @internal */
export const layerWithTransport = (
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, ConfigError.ConfigError, Transport.Transport> =>
  Layer.scoped(
    ResilientClient,
    Effect.flatMap(
      Effect.flatMap(
        Effect.suspend(() => Either.match(resolveConfig(options), { onLeft: Effect.fail, onRight: Effect.succeed })),
        withCookieJar
      ),
      (config) =>
        Effect.flatMap(Transport.Transport, (transport) => {
          const effective = withAcceptEncoding(config, transport.acceptEncoding)
          return Effect.acquireRelease(
            effective.protections.rateLimiter?.quota === undefined
              ? Effect.sync(() => make(effective, transport))
              : Effect.map(RateLimiter.limiterFromContext, (limiter) => make(effective, transport, limiter)),
            // per-origin state goes with the client's scope
            (client) => Effect.sync(() => internalsOf(client).protections.release())
          )
        })
    )
  )

/** @internal */
export const layer = (options: ClientOptions = {}): Layer.Layer<ResilientClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(
      Effect.suspend(() => Either.match(resolveConfig(options), { onLeft: Effect.fail, onRight: Effect.succeed })),
      (config) => Layer.provide(layerWithTransport(options), Transport.layerUndici(config.pool))
    )
  )

/** @internal */
export const layerFromDispatcher = (
  dispatcher: Undici.Dispatcher,
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, ConfigError.ConfigError> =>
  Layer.provide(layerWithTransport(options), Transport.layerFromDispatcher(dispatcher))

/** @internal */
export const layerFromHttpClient = (
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.provide(layerWithTransport(options), Transport.layerHttpClient)
