/**
 * The client's service tag (a v4 `Context.Service`), what the retry policy reads of it, and the deadline reference.
 * @internal
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { BulkheadSlots } from "../../../src/core/bulkhead.js"
import type { BreakerRegistry, CircuitState } from "../../../src/core/circuitBreaker.js"
import type { HealthSource } from "../../../src/core/health.js"
import type { RetryBudgetRegistry } from "../../../src/core/retryBudget.js"
import type { Secrets } from "../../../src/core/secrets.js"
import type { HttpResilientError, InvalidRequestError } from "../HttpResilientError.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import type { AttemptState } from "./attempt.js"
import type { RequestOptions } from "./request.js"
import type { StreamingResponse, Transport } from "./transport.js"

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
  /** the client's breakers when they are ours, in memory (health reports) */
  readonly breakers: BreakerRegistry | undefined
  /** the client's bulkhead, when on (health reports) */
  readonly bulkhead: BulkheadSlots<unknown> | undefined
  /** the routes' own breakers and bulkheads (health reports), in the order of `routes` */
  readonly routes?: ReadonlyArray<HealthSource> | undefined
  /** what relative URLs given to the module functions are joined to */
  readonly baseUrl: URL | undefined
  /** what the module functions' errors redact */
  readonly secrets: Secrets
  /** the client's transport (`warmUp`) */
  readonly transport: Transport
}

/**
 * A streamed attempt that opened its response: the head, the body still in the socket, and the attempt's state.
 * @internal
 */
export interface Opened {
  readonly response: StreamingResponse
  readonly state: AttemptState
}

/**
 * One attempt at opening a streamed response (see `pipeline.ts` `runStreamed`): `method url` with the verb's
 * headers under the request's and `extraHeaders` over them, attempt `number`, the stream's deadline, the scope that
 * owns the socket.
 * @internal
 */
export type OpenStreamed = (
  method: string,
  url: string | URL,
  options: RequestOptions,
  verbHeaders: Record<string, string> | undefined,
  extraHeaders: Record<string, string> | undefined,
  number: number,
  deadlineAt: number | undefined,
  scope: Scope.Scope
) => Effect.Effect<Opened, HttpResilientError>

/**
 * What the streaming verbs reach of a client: one attempt at opening a streamed response through its pipeline (see
 * `pipeline.ts` `runStreamed`), its `retry` option, its secrets and its events.
 * @internal
 */
export interface StreamParts {
  readonly open: OpenStreamed
  readonly retry: Schedule.Schedule<unknown, HttpResilientError, HttpResilientError> | undefined
  readonly secrets: Secrets
  readonly publish: (event: ResilientEvent) => void
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
  /** what `stream`, `lines`, `ndjson` and `sse` use */
  readonly streams: StreamParts
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
