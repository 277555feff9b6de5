/**
 * The client: its service and tag, and `make`, which wires a client's parts once: its events, protections, request
 * preparation, the attempt pipeline (`pipeline.ts`) and the whole call (`call.ts`). Layers are in `layers.ts`,
 * what public modules do with the service in `clientOps.ts`.
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { RequestValidationError } from "../core/requestError.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import { makeRequest } from "./call.js"
import { type ClientOptions, nameEnvironmentVariables, protectionsFromConfig, type ResolvedConfig } from "./config.js"
import * as EventHub from "./eventHub.js"
import { layer } from "./layers.js"
import * as Pipeline from "./pipeline.js"
import { makePrepare, makeValidate } from "./prepare.js"
import { Protections } from "./protections.js"
import type * as RateLimiter from "./rateLimiter.js"
import type { PreparedRequest, RequestOptions } from "./request.js"
import type { RequestOptionFields } from "./requestOptions.js"
import type { RetryBudgetHandle } from "./retryBudget.js"
import type * as Transport from "./transport.js"

export { layerFromDispatcher, layerFromHttpClient, layerWithTransport } from "./layers.js"
export type { RetryBudgetHandle } from "./retryBudget.js"
export { layer }

// ---------------------------------------------------------------------------
// the service
// ---------------------------------------------------------------------------

/** @internal */
export interface ResilientClientService {
  readonly config: ResolvedConfig
  readonly transport: Transport.TransportService
  /**
   * Checks the options a call was given (`fields`: those of its verb) before anything else, and its `failover` URLs;
   * no I/O. `prepare` then only reads them.
   */
  readonly validate: (options: unknown, fields: RequestOptionFields) => RequestValidationError | undefined
  /**
   * Builds and validates a request; no I/O. `idempotencyKey` is the key to send when the options ask for a
   * generated one (`idempotencyKey: true`); without it a fresh key is generated.
   */
  readonly prepare: (
    method: string,
    url: string | URL,
    options: RequestOptions | undefined,
    idempotencyKey?: string | undefined
  ) => PreparedRequest | RequestValidationError
  /** One attempt of a prepared request (no retry). */
  readonly attempt: (
    prepared: PreparedRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
  /** A whole call: the request's or the client's retry policy around attempts. */
  readonly request: (
    method: string,
    url: string | URL,
    options: RequestOptions | undefined
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
  /** Publishes an event to subscribers and hooks; a no-op when there are none. */
  readonly publish: (event: ResilientEvent) => void
  /** Whether anything listens to events (so callers can skip building them). */
  readonly hasListeners: () => boolean
  /** Subscribes to events; the subscription lasts as long as the scope. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, Scope.Scope>
  /**
   * The client-wide retry budget, or `undefined` when disabled. Every attempt is recorded as a request;
   * a retry policy (or a hedge) asks `tryRetry` before each retry and gives up when it answers false.
   */
  readonly retryBudget: RetryBudgetHandle | undefined
  /** Rate limiter, bulkhead and circuit breakers around each attempt, and the retry budget. */
  readonly protections: Protections
}

/** @internal */
export class ResilientClient extends Context.Tag("effect-http-resilient/ResilientClient")<
  ResilientClient,
  ResilientClientService
>() {}

/** @internal */
export const make = (
  config: ResolvedConfig,
  transport: Transport.TransportService,
  /** The rate limiter over a shared store (Redis); a memory one is made when needed and not given. */
  rateLimiter?: RateLimiter.ExperimentalLimiter | undefined
): ResilientClientService => {
  const hub = EventHub.make(config.options)
  const protections = new Protections(config.protections, hub.publish, rateLimiter, config.maxOrigins)
  const validate = makeValidate(config)
  const prepare = makePrepare(config)
  const parts = { config, transport, protections, hub }
  const hedgeClient = { retryBudget: protections.retryBudget, publish: hub.publish, hasListeners: hub.hasListeners }
  const attempt = Pipeline.runBuffered(Pipeline.buffered(parts), config)
  const request = makeRequest({
    config,
    validate,
    prepare,
    attempt,
    hedge: protections.hedge,
    hedgeClientOf: () => hedgeClient
  })
  return {
    config,
    transport,
    validate,
    prepare,
    attempt,
    request,
    publish: hub.publish,
    hasListeners: hub.hasListeners,
    subscribe: hub.subscribe,
    retryBudget: protections.retryBudget,
    protections
  }
}

// ---------------------------------------------------------------------------
// layers from the environment
// ---------------------------------------------------------------------------

/**
 * Reads options from `Config` under `prefix` (environment: `PREFIX_BASE_URL`, `PREFIX_TIMEOUT` …, and the
 * protections' sections `PREFIX_CIRCUIT_BREAKER`, `PREFIX_BULKHEAD_MAX_CONCURRENT` …), then applies `overrides` on top.
 * @internal
 */
export const optionsFromConfig = (
  prefix: string,
  skip: ReadonlySet<string> = new Set()
): Config.Config<ClientOptions> => {
  const nested = <A>(c: Config.Config<A>) => (prefix === "" ? c : Config.nested(c, prefix))
  // an option given in code instead (`skip`) is not read: its variable may be anything
  const opt = <A>(option: string, c: Config.Config<A>): Config.Config<Option.Option<A>> =>
    skip.has(option) ? Config.succeed(Option.none()) : nested(Config.option(c))
  const protections = nested(protectionsFromConfig(prefix, skip))
  const options = Config.all({
    baseUrl: opt("baseUrl", Config.string("BASE_URL")),
    timeout: opt("timeout", Config.duration("TIMEOUT")),
    deadline: opt("deadline", Config.duration("DEADLINE")),
    maxConnections: opt("maxConnections", Config.integer("MAX_CONNECTIONS")),
    maxOrigins: opt("maxOrigins", Config.integer("MAX_ORIGINS")),
    maxResponseSize: opt("maxResponseSize", Config.integer("MAX_RESPONSE_SIZE")),
    followRedirects: opt("followRedirects", Config.integer("FOLLOW_REDIRECTS")),
    keepAliveTimeout: opt("keepAliveTimeout", Config.duration("KEEP_ALIVE_TIMEOUT")),
    connectTimeout: opt("connectTimeout", Config.duration("CONNECT_TIMEOUT")),
    redactHeaders: opt("redactHeaders", Config.array(Config.string(), "REDACT_HEADERS")),
    redactQueryParams: opt("redactQueryParams", Config.array(Config.string(), "REDACT_QUERY_PARAMS")),
    allowInsecureRedirects: opt("allowInsecureRedirects", Config.boolean("ALLOW_INSECURE_REDIRECTS")),
    tracing: opt("tracing", Config.boolean("TRACING"))
  })
  return Config.zipWith(options, protections, (values, sections) => ({ ...values, ...sections })).pipe(
    Config.map((values) => {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(values)) {
        if (Option.isSome(value as Option.Option<unknown>)) out[key] = (value as Option.Some<unknown>).value
      }
      return out as ClientOptions
    })
  )
}

/**
 * A client from `Config` under `prefix`, with `overrides` on top; a bad value from the environment names its
 * variable, one from `overrides` its option.
 * @internal
 */
export const layerConfig = (
  prefix = "HTTP_RESILIENT",
  overrides: ClientOptions = {}
): Layer.Layer<ResilientClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(
      optionsFromConfig(prefix, new Set(Object.keys(overrides))),
      (fromEnv) =>
        Layer.mapError(layer({ ...fromEnv, ...overrides }), nameEnvironmentVariables(prefix, fromEnv, overrides))
    )
  )
