/**
 * The client's service tag (a v4 `Context.Service`), what the retry policy reads of it, and the deadline reference.
 * @internal
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import type { CircuitState } from "../../../src/core/circuitBreaker.js"
import type { RetryBudgetRegistry } from "../../../src/core/retryBudget.js"
import type { HttpResilientError, InvalidRequestError } from "../HttpResilientError.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import type { RequestOptions } from "./request.js"

/**
 * What the retry policy and the module functions reach of a client.
 * @internal
 */
export interface ClientInternals {
  readonly publish: (event: ResilientEvent) => void
  /** the retry budgets, one per origin */
  readonly retryBudget: RetryBudgetRegistry | undefined
  readonly recordRetry: (reason: string) => void
  readonly recordBudgetRejection: () => void
  /** the client's deadline for a call, in ms */
  readonly deadlineMillis: number
}

/**
 * The client.
 * @since 0.1.0
 * @category models
 */
export interface ResilientClientService {
  /** One call: an attempt, or the client's `retry` option around attempts. */
  readonly execute: (
    method: string,
    url: string | URL,
    options: RequestOptions | undefined,
    /** the key `idempotencyKey: true` sends: made once per call, so every attempt of it sends the same */
    generatedKey?: string
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
  readonly circuitState: (origin: string | URL) => Effect.Effect<CircuitState, InvalidRequestError>
  readonly subscribe: Effect.Effect<PubSub.Subscription<ResilientEvent>, never, Scope.Scope>
  readonly internals: ClientInternals
}

/**
 * The client's tag: a v4 `Context.Service` (the v3 entry's is a `Context.Tag`).
 * @since 0.1.0
 * @category tags
 */
export class ResilientClient extends Context.Service<ResilientClient, ResilientClientService>()(
  "effect-http-resilient/v4/ResilientClient"
) {}

/**
 * The deadline (epoch ms) of the calls under `HttpResilient.withDeadline` or `HttpResilient.retry`.
 * @internal
 */
export const CurrentDeadline = Context.Reference<number | undefined>("effect-http-resilient/v4/CurrentDeadline", {
  defaultValue: () => undefined
})
