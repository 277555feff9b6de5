/**
 * One attempt as the pipeline's stages see it (see `pipeline.ts`).
 * @internal
 */
import type * as Clock from "effect/Clock"
import type * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import { redactUrl } from "../core/secrets.js"
import { originOf } from "../core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { Breaker } from "./circuitBreaker.js"
import { AttemptTime } from "./deadline.js"
import type { Outgoing } from "./interceptor.js"
import type { PreparedRequest } from "./request.js"

/**
 * The state of one attempt, made once when it starts and handed down the stages: the request, the attempt's number,
 * its clock and time (its timeout clipped to the deadline, see `AttemptTime`), and what stages write for the stages
 * after them (whether anything listens to events; the protections' bookkeeping). One object per attempt: the
 * stages allocate nothing else for it on the success path.
 * @internal
 */
export class AttemptState extends AttemptTime {
  // fields are declared, and set in the constructor only: plain stores, one object shape (see `AttemptTime`)
  declare readonly fiber: Fiber.RuntimeFiber<any, any>
  declare readonly prepared: PreparedRequest
  declare readonly attempt: number
  declare readonly clock: Clock.Clock
  /** when the attempt started (before any wait of the protections) */
  declare readonly began: number
  /** the URL as events and errors show it: computed once, and only when something shows it (`shown`) */
  declare shownUrl: string | undefined
  /** the request's origin: computed once (`origin`), for the stages that key state by it */
  declare originText: string | undefined
  /** whether anything listened to events when the attempt started (set by the events stage) */
  declare listening: boolean
  /** the scope that owns a streamed response's socket (streamed attempts only) */
  declare scope: Scope.Scope | undefined
  /** the protections' interruption mask, opened around the rate limiter, bulkhead and breaker (`protect`) */
  declare restore: <X, E, R>(effect: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>
  /**
   * whether the rest of the attempt after `settle` runs inside the protections' mask (set by `settle`): then each
   * stage after it runs its own waits through `wait`, and the transport is given `restore` for its wait
   */
  declare masked: boolean
  /** the origin's breaker, when the attempt was admitted by one, with its ticket and the attempt's due time */
  declare breaker: Breaker | undefined
  declare ticket: number
  declare due: number
  constructor(
    fiber: Fiber.RuntimeFiber<any, any>,
    prepared: PreparedRequest,
    attempt: number,
    clock: Clock.Clock,
    began: number,
    timeoutMillis: number,
    deadline: number | undefined
  ) {
    super(began, timeoutMillis, deadline)
    this.fiber = fiber
    this.prepared = prepared
    this.attempt = attempt
    this.clock = clock
    this.began = began
    this.shownUrl = undefined
    this.originText = undefined
    this.listening = false
    this.scope = undefined
    this.restore = identity
    this.masked = false
    this.breaker = undefined
    this.ticket = 0
    this.due = 0
  }
  /**
   * The origin of the request (not of a redirect's hop): its breaker's, retry budget's, rate limiter's and duration
   * series' key. One string per attempt (the URL computes a new one on every read), so maps keyed by it hash it once.
   */
  origin(): string {
    return this.originText ??= originOf(this.prepared.url)
  }
  /**
   * A wait of a stage after `settle` (a user's effect, the cookie jar, a body read, a transport without its own
   * form for it): interruptible as the attempt's caller was, also when the rest of the attempt runs inside the
   * protections' mask (`masked`). Nothing else in that part of the attempt waits, so interruption reaches it only
   * at these waits and at the transport's.
   */
  wait<X, E, R>(effect: Effect.Effect<X, E, R>): Effect.Effect<X, E, R> {
    return this.masked ? this.restore(effect) : effect
  }
  /** The URL of the request, redacted: what events and errors show. */
  shown(): string {
    return this.shownUrl ??= redactUrl(this.prepared.url, this.prepared.secrets)
  }
}

const identity = <X, E, R>(effect: Effect.Effect<X, E, R>): Effect.Effect<X, E, R> => effect

/**
 * The rest of an attempt from some stage on: it sends `request` (the prepared request, or what an earlier stage made
 * of it: the span's `traceparent` added, an interceptor's rewrite, a redirect's hop).
 * @internal
 */
export type Attempt<A> = (state: AttemptState, request: Outgoing) => Effect.Effect<A, HttpResilientError>

/**
 * One stage of the pipeline: what it does around (or instead of) the stages after it.
 * @internal
 */
export type Stage<In, Out = In> = (next: Attempt<In>) => Attempt<Out>
