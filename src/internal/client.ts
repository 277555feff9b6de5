/**
 * The client: its service and tag, and `make`, which wires a client's parts once: its events, protections, request
 * preparation, the attempt pipeline (`pipeline.ts`) and the whole call (`call.ts`). Layers are in `layers.ts`,
 * what public modules do with the service in `clientOps.ts`.
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { RequestValidationError } from "../core/requestError.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import { makeRequest } from "./call.js"
import type { ResolvedConfig } from "./config.js"
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
