/**
 * The client of the v4 edition: a v4 `Context.Service` (the root entry's is a v3 `Context.Tag`), its layers, and
 * what it can tell (circuit state, events). The same option names and defaults as the root entry.
 *
 * Not in this edition yet (the root entry has them): `layerConfig` / environment configuration (so
 * `ResilientClientLive` is `layer()` with the defaults), `layerFromHttpClient`, `layerFromDispatcher`, `warmUp`,
 * rate limiter, interceptors.
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { CircuitState } from "../../src/core/circuitBreaker.js"
import type { InvalidRequestError } from "./HttpResilientError.js"
import { type ClientOptions as Options, defaults as clientDefaults, make } from "./internal/client.js"
import { ResilientClient, type ResilientClientService as Service } from "./internal/service.js"
import type { ResilientEvent } from "./ResilientEvent.js"

export {
  /**
   * The client's tag.
   * @since 0.1.0
   * @category tags
   */
  ResilientClient
}

/**
 * @since 0.1.0
 * @category models
 */
export type ResilientClientService = Service

/**
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = Options

/**
 * @since 0.1.0
 * @category defaults
 */
export const defaults = clientDefaults

/**
 * A client with these options over its own undici pool, closed with the layer's scope. A bad option fails the
 * layer with a `ConfigError` naming it, its value and why.
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ClientOptions = {}): Layer.Layer<ResilientClient, Config.ConfigError> =>
  Layer.effect(ResilientClient, make(options))

/**
 * The client with every default: retry budget and circuit breaker on, 10 s attempts, 30 s deadline.
 * @since 0.1.0
 * @category layers
 */
export const ResilientClientLive: Layer.Layer<ResilientClient, Config.ConfigError> = layer()

/**
 * An origin's breaker state (`"closed"` for one never seen); fails with `InvalidRequestError` for something that
 * names no origin.
 * @since 0.1.0
 * @category getters
 */
export const circuitState = (
  origin: string | URL
): Effect.Effect<CircuitState, InvalidRequestError, ResilientClient> =>
  Effect.flatMap(Effect.service(ResilientClient), (client) => client.circuitState(origin))

/**
 * The client's events, from the moment this returns (a bounded backlog of 1024; the oldest are dropped).
 * @since 0.1.0
 * @category events
 */
export const subscribe: Effect.Effect<PubSub.Subscription<ResilientEvent>, never, ResilientClient | Scope.Scope> =
  Effect.flatMap(Effect.service(ResilientClient), (client) => client.subscribe)

/**
 * The client's events as a stream (what is published after it starts).
 * @since 0.1.0
 * @category events
 */
export const events: Stream.Stream<ResilientEvent, never, ResilientClient> = Stream.unwrap(
  Effect.map(subscribe, Stream.fromSubscription)
)
