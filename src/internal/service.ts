/**
 * The client's service (its public face), its tag, and the parts kept beside each service (`internalsOf`). Apart
 * from `client.ts`, so that what a call runs can find a client's parts without importing the client.
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { RequestValidationError } from "../core/requestError.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import type { ResolvedConfig } from "./config.js"
import type { Protections } from "./protections.js"
import type { PreparedRequest, RequestOptions } from "./request.js"
import type { RequestOptionFields } from "./requestOptions.js"
import type { RetryBudgetHandle } from "./retryBudget.js"
import type * as Transport from "./transport.js"

// ---------------------------------------------------------------------------
// the service
// ---------------------------------------------------------------------------

/**
 * The public face of a client: what a user may call. Its parts (configuration, transport, protections, events) are
 * reached by the library through `internalsOf`, never through the service.
 * @internal
 */
export interface ResilientClientService {
  /** A whole call: the request's or the client's retry policy around attempts. */
  readonly request: (
    method: string,
    url: string | URL,
    options: RequestOptions | undefined
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
  /** Subscribes to events; the subscription lasts as long as the scope. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, Scope.Scope>
}

/**
 * The parts of a client made by `make`, for the library's own modules (streams, retry policies, hedging, the
 * retry budget and circuit state accessors, `execute`, `warmUp`). Not part of the service.
 * @internal
 */
export interface ClientInternals {
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
  /** Publishes an event to subscribers and hooks; a no-op when there are none. */
  readonly publish: (event: ResilientEvent) => void
  /** Whether anything listens to events (so callers can skip building them). */
  readonly hasListeners: () => boolean
  /** The service's `subscribe`. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, Scope.Scope>
  /**
   * The retry budgets (one per origin), or `undefined` when disabled. Every attempt is recorded as a request of
   * its origin; a retry policy (or a hedge) asks `tryRetry` of the origin before each retry and gives up when it
   * answers false.
   */
  readonly retryBudget: RetryBudgetHandle | undefined
  /** Rate limiter, bulkhead and circuit breakers around each attempt, and the retry budget. */
  readonly protections: Protections
}

/** The internals of each service `make` made. */
const internals = new WeakMap<ResilientClientService, ClientInternals>()

/**
 * Keeps `parts` beside `service` (done once, by `make`).
 * @internal
 */
export const register = (service: ResilientClientService, parts: ClientInternals): void => {
  internals.set(service, parts)
}

/**
 * The internals of `service`, or `undefined` when it was not made by `make` (a service a user provided with
 * `Layer.succeed`): callers that can go without (retry policies, hedging) then act as with no client.
 * @internal
 */
export const findInternals = (service: ResilientClientService): ClientInternals | undefined => internals.get(service)

/**
 * The internals of `service`; a defect naming the cause when it was not made by the library's layers.
 * @internal
 */
export const internalsOf = (service: ResilientClientService): ClientInternals => {
  const found = internals.get(service)
  if (found === undefined) {
    throw new Error(
      "ResilientClient: this operation needs a client built by ResilientClient's layers (layer, layerConfig, " +
        "ResilientClientLive, HttpResilientTest.layer); the service in context was provided by hand and has only " +
        "`request` and `subscribe`"
    )
  }
  return found
}

/**
 * A client's call as `fiber` runs it: the body of its `request`'s `withFiberRuntime`, for a caller that already has
 * the fiber (the verbs: one step instead of reading the context first).
 * @internal
 */
export type RunIn = (
  fiber: Fiber.RuntimeFiber<any, any>,
  method: string,
  url: string | URL,
  options: RequestOptions | undefined
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>

const runInKey = Symbol.for("effect-http-resilient/RunIn")

/**
 * `request` carrying `run`, its body as the fiber runs it (see `requestIn`).
 * @internal
 */
export const withRunIn = (
  request: ResilientClientService["request"],
  run: RunIn
): ResilientClientService["request"] => Object.assign(request, { [runInKey]: run })

/** @internal */
export class ResilientClient extends Context.Tag("effect-http-resilient/ResilientClient")<
  ResilientClient,
  ResilientClientService
>() {}

/**
 * `service.request(method, url, options)` of the client in `fiber`'s context, run by `fiber`: a client made by
 * `make` runs its call at once (no step to read the context, none to enter its `request`); a service provided by hand
 * is called.
 * @internal
 */
export const requestIn = (
  fiber: Fiber.RuntimeFiber<any, any>,
  method: string,
  url: string | URL,
  options: RequestOptions | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
  const request = Context.get(fiber.currentContext as Context.Context<ResilientClient>, ResilientClient).request
  const run = (request as { readonly [runInKey]?: RunIn })[runInKey]
  return run === undefined ? request(method, url, options) : run(fiber, method, url, options)
}
