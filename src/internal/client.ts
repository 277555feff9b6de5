/** @internal */
import * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { randomUUID } from "node:crypto"
import type * as Undici from "undici"
import { mergeHeaders, normaliseMethod } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import { redactHeaders, redactUrl, type Secrets } from "../core/secrets.js"
import { appendParams, appendUrlParamsOption, joinUrl, userinfoToAuthorization } from "../core/url.js"
import {
  type CallInfo,
  type HttpResilientError,
  InvalidRequestError,
  isHttpResilientError,
  StatusError,
  TimeoutError,
  TransportError
} from "../HttpResilientError.js"
import type { CircuitState, FailureReason, ResilientEvent } from "../ResilientEvent.js"
import * as Events from "../ResilientEvent.js"
import { type ClientOptions, defaults, resolveConfig, type ResolvedConfig } from "./config.js"
import * as EventBacklog from "./eventBacklog.js"
import * as Hedge from "./hedge.js"
import * as Interceptors from "./interceptor.js"
import { Protections } from "./protections.js"
import * as RateLimiter from "./rateLimiter.js"
import { makeBody, type PreparedRequest, type RequestOptions, toPlatformRequest } from "./request.js"
import {
  type RequestOptionFields,
  requestOptions as requestOptionFields,
  validateRequestOptions
} from "./requestOptions.js"
import { BufferedResponse, type RawResponse } from "./response.js"
import * as RetryAfterParser from "./retryAfter.js"
import * as Telemetry from "./telemetry.js"
import * as Transport from "./transport.js"

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

/**
 * What a retry policy and the hedger need from the retry budget.
 * @internal
 */
export interface RetryBudgetHandle {
  /** Records one request (every attempt, first or not) at `nowMillis`. */
  readonly recordRequest: (nowMillis: number) => void
  /** Spends one retry if the budget allows it at `nowMillis`; false when it is empty. */
  readonly tryRetry: (nowMillis: number) => boolean
}

/** @internal */
export class ResilientClient extends Context.Tag("effect-http-resilient/ResilientClient")<
  ResilientClient,
  ResilientClientService
>() {}

// ---------------------------------------------------------------------------
// deadline
// ---------------------------------------------------------------------------

/**
 * The absolute deadline (epoch ms by the Clock) of the current call, if any.
 * @internal
 */
export const currentDeadline: FiberRef.FiberRef<number | undefined> = FiberRef.unsafeMake<number | undefined>(
  undefined
)

/**
 * The earlier of two deadlines (epoch ms by the Clock), either of which may be unset.
 * @internal
 */
export function earliestDeadline(a: number | undefined, b: number): number
export function earliestDeadline(a: number | undefined, b: number | undefined): number | undefined
export function earliestDeadline(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

/**
 * The request a deadline's timeout names: the last attempt started under `withDeadline`. `outer` is the enclosing
 * deadline's: an attempt started under this one started under that one too.
 * @internal
 */
interface DeadlineInfo {
  method: string
  url: string
  attempt: number
  readonly outer: DeadlineInfo | undefined
}

/** @internal */
const currentDeadlineInfo: FiberRef.FiberRef<DeadlineInfo | undefined> = FiberRef.unsafeMake<
  DeadlineInfo | undefined
>(undefined)

/**
 * `Effect.retry(self(), policy)` with nothing set up until the first run fails: a call that succeeds at once pays
 * for one failure handler instead of `Effect.retry`'s schedule driver and the fiber-ref change that hands each
 * run `Schedule.CurrentIterationMetadata` (60–90 k instructions per call against a real server, whatever the
 * schedule: see bench/NOTES.md). From the first failure on it is `Effect.retry`: the same driver steps the policy,
 * sleeps on the `Clock`, and hands each later run its iteration metadata. `firstRun` makes the first run, which sees
 * the fiber's own metadata; `recurrence` is that metadata's: past 0 (a later run of another retry) this is plain
 * `Effect.retry(self(), policy)`, so that the first run still sees recurrence 0. `self` makes the later runs.
 */
const retryOnFailure = <A, E, R>(
  recurrence: number,
  firstRun: () => Effect.Effect<A, E, R>,
  self: () => Effect.Effect<A, E, R>,
  policy: Schedule.Schedule<unknown, E, R>
): Effect.Effect<A, E, R> => {
  if (recurrence > 0) return Effect.retry(self(), policy)
  return Effect.catchAll(firstRun(), (first) =>
    Effect.flatMap(Schedule.driver(policy), (driver) => {
      const again = Effect.provideServiceEffect(
        self(),
        Schedule.CurrentIterationMetadata,
        Ref.get(driver.iterationMeta)
      )
      const next = (error: E): Effect.Effect<A, E, R> =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () => {
            // a policy that refused the retry (budget, Retry-After too long, deadline) ends here with its refusal,
            // without the extra run a plain `Effect.retry` needs for it (see `takeRetryRefusal`)
            const refusal = takeRetryRefusal(error)
            return refusal === undefined ? Effect.catchAll(again, next) : Effect.fail(refusal as E)
          }
        })
      return next(first)
    }))
}

/**
 * `Effect.retry(self, policy)`, with nothing set up until `self` first fails (see `retryOnFailure`).
 * @internal
 */
export const retry = dual<
  <B, E, R1>(
    policy: Schedule.Schedule<B, NoInfer<E>, R1>
  ) => <A, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | R1>,
  <A, E, R, B, R1>(
    self: Effect.Effect<A, E, R>,
    policy: Schedule.Schedule<B, NoInfer<E>, R1>
  ) => Effect.Effect<A, E, R | R1>
>(
  2,
  <A, E, R, B, R1>(self: Effect.Effect<A, E, R>, policy: Schedule.Schedule<B, E, R1>) =>
    Effect.withFiberRuntime<A, E, R | R1>((fiber) => {
      const run = () => self
      return retryOnFailure<A, E, R | R1>(
        Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata).recurrence,
        run,
        run,
        policy
      )
    })
)

/**
 * Runs `self` under the absolute deadline `deadlineAt` (kept earlier if one is already set): attempts see it
 * through `currentDeadline`, and `self` is interrupted when it passes, failing with `TimeoutError` deadline
 * that names the last attempt.
 */
const boundByDeadline = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  deadlineAt: number,
  now: number,
  existing: number | undefined,
  info: DeadlineInfo
): Effect.Effect<A, E | TimeoutError, R> => {
  const deadline = earliestDeadline(existing, deadlineAt)
  const remaining = Math.max(0, deadline - now)
  const timeoutError = () =>
    new TimeoutError({
      method: info.method,
      url: info.url,
      attempt: info.attempt,
      scope: "deadline",
      timeout: Duration.millis(remaining)
    })
  if (remaining === 0) return Effect.fail(timeoutError())
  return self.pipe(
    Effect.locally(currentDeadline, deadline),
    Effect.locally(currentDeadlineInfo, info),
    Effect.timeoutFail({ duration: Duration.millis(remaining), onTimeout: timeoutError })
  )
}

/** @internal */
export const withDeadline = dual<
  (
    duration: Duration.DurationInput
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | TimeoutError, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, duration: Duration.DurationInput) => Effect.Effect<A, E | TimeoutError, R>
>(2, (self, duration) => {
  const millis = Duration.toMillis(Duration.decode(duration))
  return Effect.withFiberRuntime((fiber) => {
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const now = clock.unsafeCurrentTimeMillis()
    const info: DeadlineInfo = { method: "", url: "", attempt: 0, outer: fiber.getFiberRef(currentDeadlineInfo) }
    return boundByDeadline(self, now + millis, now, fiber.getFiberRef(currentDeadline), info)
  })
})

// ---------------------------------------------------------------------------
// what a retry policy learns from a failed attempt
// ---------------------------------------------------------------------------

/** The call as it was given, to tell "the same call" apart: never shown (the URL and options may hold secrets). */
interface CallOrigin {
  readonly method: string
  readonly url: string | URL
  readonly options: RequestOptions | undefined
}

/**
 * The public `CallInfo` of an error (its `call`), made when an attempt fails, so that a retry policy — also a user's
 * plain `Effect.retry(policy)` around the call — can decide, and the next run of the same call can reuse its
 * idempotency key and deadline. `gaveUp` and `refusal` are written by the policy that decides on the error.
 * @internal
 */
export class CallFacts implements CallInfo {
  gaveUp: FailureReason | undefined = undefined
  refusal: HttpResilientError | undefined = undefined
  /** the run that fails with `refusal` has been made (once) */
  #refused = false
  readonly #origin: CallOrigin | undefined
  constructor(
    readonly attempt: number,
    readonly idempotencyKey: string | undefined,
    readonly replayable: boolean,
    readonly deadlineAt: number | undefined,
    readonly tag: string | undefined,
    origin: CallOrigin | undefined
  ) {
    this.#origin = origin
  }
  /** Whether these are the facts of the call made with `method`, `url` and `options` (the same objects). */
  isCallOf(method: string, url: string | URL, options: RequestOptions | undefined): boolean {
    const origin = this.#origin
    return origin !== undefined && origin.method === method && origin.url === url && origin.options === options
  }
  /** The refusal, the first time it is asked for; `undefined` after (and without one). */
  takeRefusal(): HttpResilientError | undefined {
    if (this.refusal === undefined || this.#refused) return undefined
    this.#refused = true
    return this.refusal
  }
}

/**
 * Sets `error.call` (a non-enumerable property, see `CallInfo`) and returns the facts.
 * @internal
 */
export const setCall = (error: HttpResilientError, facts: CallFacts): CallFacts => {
  Object.defineProperty(error, "call", { value: facts, enumerable: false, configurable: true, writable: true })
  return facts
}

/**
 * The client's facts of the call `error` came from, if it came from a call.
 * @internal
 */
export const callOf = (error: unknown): CallFacts | undefined => {
  const call = isHttpResilientError(error) ? error.call : undefined
  return call instanceof CallFacts ? call : undefined
}

/**
 * What the next run of a call fails with, at once and without I/O, because a retry policy refused to retry after
 * `error` (budget empty, Retry-After too long, deadline); taken once. `Effect.retry` ends only with the last error
 * its effect failed with (its schedule's step cannot fail, and its decision only says stop or go on), so under a
 * user's plain `Effect.retry(policy)` the policy lets the effect run once more, at once, and the call turns that run
 * into the refusal. The client's own retry loops (`retry`, the `retry` option, streams) take it without that run.
 * @internal
 */
export const takeRetryRefusal = (error: unknown): HttpResilientError | undefined => callOf(error)?.takeRefusal()

/** A key for `idempotencyKey: true`: a UUID from the platform's CSPRNG, since keys must be unique fleet-wide. */
const newIdempotencyKey = (): string => randomUUID()

// ---------------------------------------------------------------------------
// the attempt pipeline
// ---------------------------------------------------------------------------

/** @internal */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/**
 * An attempt's time: its timeout clipped to the deadline, counted from when the attempt was let through.
 * @internal
 */
export class AttemptTime {
  startedAt: number
  timeoutMillis: number
  /** the timeout was clipped to the deadline: running out of it is the deadline's timeout */
  clipped = false
  constructor(now: number, timeoutMillis: number, readonly deadline: number | undefined) {
    this.startedAt = now
    this.timeoutMillis = timeoutMillis
    this.clip(now)
  }
  /** The deadline is already spent: the attempt fails with `TimeoutError` deadline and sends nothing. */
  get spent(): boolean {
    return this.clipped && this.timeoutMillis === 0
  }
  /** Made to wait by the rate limiter or the bulkhead queue: the attempt's time starts now. */
  rebase(admittedAt: number): void {
    this.startedAt = admittedAt
    this.clip(admittedAt)
  }
  /** What is left of the timeout at `now`. */
  left(now: number): number {
    return this.timeoutMillis - (now - this.startedAt)
  }
  private clip(now: number): void {
    const deadline = this.deadline
    if (deadline !== undefined && deadline - now < this.timeoutMillis) {
      this.timeoutMillis = Math.max(0, deadline - now)
      this.clipped = true
    }
  }
}

/**
 * The `StatusError` for a response whose status is not accepted: redacted headers, the (buffered) response itself,
 * and the server's Retry-After.
 * @internal
 */
export const statusError = (
  prepared: PreparedRequest,
  shownUrl: string,
  attempt: number,
  raw: RawResponse,
  response: BufferedResponse,
  redacted: Secrets,
  clock: Clock.Clock
): StatusError =>
  new StatusError({
    method: prepared.method,
    url: shownUrl,
    attempt,
    status: raw.status,
    statusText: raw.statusText,
    headers: redactHeaders(raw.headers, redacted),
    response,
    retryAfter: RetryAfterParser.fromHeaders(raw.headers, clock.unsafeCurrentTimeMillis())
  })

/** @internal */
export interface Hop {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: HttpBody.HttpBody
}

/**
 * The request a redirect leads to, or `undefined` when the response is to be handed back as it is (not a redirect,
 * redirects off, no usable `Location`, or a method/body that may not follow), or a `TransportError` for a loop or
 * too many redirects. 301/302 follow for GET and HEAD only; 303 becomes a GET without a body; 307/308 keep the
 * method and body when the body can be sent again. A hop to another origin carries no secret header (the client's
 * one rule, `Secrets.isSecretHeader`: what is redacted is what is dropped) and no `Host`; a hop from https: to http:
 * fails with `InsecureRedirect` unless the client allows it.
 * @internal
 */
export const redirectHop = (
  request: Hop,
  status: number,
  location: string | undefined,
  replayable: boolean,
  redirects: number,
  maxRedirects: number,
  visited: Set<string> | undefined,
  info: { readonly method: string; readonly url: string; readonly attempt: number },
  rules: Pick<ResolvedConfig, "redacted" | "allowInsecureRedirects">
): (Hop & { readonly visited: Set<string> }) | TransportError | undefined => {
  if (!redirectStatuses.has(status) || maxRedirects === 0 || location === undefined) return undefined
  const { body, headers, method, url } = request
  let nextMethod = method
  let nextBody = body
  if (status === 303) {
    if (method !== "HEAD") nextMethod = "GET"
    nextBody = HttpBody.empty
  } else if (status === 301 || status === 302) {
    if (method !== "GET" && method !== "HEAD") return undefined
  } else if (method !== "GET" && method !== "HEAD" && !replayable) {
    return undefined
  }
  let next: URL
  try {
    next = new URL(location, url)
  } catch {
    return undefined
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") return undefined
  if (url.protocol === "https:" && next.protocol === "http:" && !rules.allowInsecureRedirects) {
    return new TransportError({
      ...info,
      reason: "InsecureRedirect",
      detail: `to ${redactUrl(next, rules.redacted)}; set allowInsecureRedirects: true to follow`
    })
  }
  const seen = visited ?? new Set([`${method} ${url.href}`])
  const key = `${nextMethod} ${next.href}`
  if (seen.has(key)) {
    return new TransportError({ ...info, reason: "RedirectLoop", detail: `back to ${redactUrl(next, rules.redacted)}` })
  }
  if (redirects >= maxRedirects) {
    return new TransportError({ ...info, reason: "TooManyRedirects", detail: `more than ${maxRedirects}` })
  }
  seen.add(key)
  let nextHeaders = headers
  if (next.origin !== url.origin || nextBody !== body) {
    nextHeaders = { ...headers }
    if (next.origin !== url.origin) {
      for (const name in nextHeaders) {
        if (name === "host" || rules.redacted.isSecretHeader(name)) delete nextHeaders[name]
      }
    }
    if (nextBody !== body) {
      delete nextHeaders["content-type"]
      delete nextHeaders["content-length"]
    }
  }
  return { method: nextMethod, url: next, headers: nextHeaders, body: nextBody, visited: seen }
}

const currentAttemptNumber = (context: Context.Context<never>): number =>
  Context.get(context, Schedule.CurrentIterationMetadata).recurrence + 1

/** @internal */
export const transportErrorFor = (
  failure: Transport.TransportFailure,
  prepared: PreparedRequest,
  url: URL,
  attempt: number,
  timeoutMillis: number,
  clippedByDeadline: boolean
): HttpResilientError => {
  const info = { method: prepared.method, url: redactUrl(url, prepared.secrets), attempt }
  switch (failure.reason) {
    case "Timeout":
      return new TimeoutError({
        ...info,
        scope: clippedByDeadline ? "deadline" : "attempt",
        timeout: Duration.millis(timeoutMillis)
      })
    case "InvalidRequest":
      // the request's own fault (DESIGN "Who is to blame"): not transient, not counted by breaker or budget
      return new InvalidRequestError({
        ...info,
        reason: failure.invalid ?? "InvalidOption",
        detail: failure.detail ??
          (failure.cause instanceof Error ? failure.cause.message : "rejected by the transport"),
        cause: failure.cause
      })
    default:
      return new TransportError({ ...info, reason: failure.reason, detail: failure.detail, cause: failure.cause })
  }
}

/**
 * The URL attempt `attemptNo` (from 1) goes to: the primary, then each `failover` URL in turn, then round again.
 * @internal
 */
export const urlForAttempt = (
  url: string | URL,
  options: RequestOptions | undefined,
  attemptNo: number
): string | URL => {
  const failover = options?.failover
  if (failover === undefined || failover.length === 0) return url
  const index = (attemptNo - 1) % (failover.length + 1)
  return index === 0 ? url : failover[index - 1]
}

/**
 * The options of attempt `attemptNo` (from 1): its entry of `attempts` (the last one for later attempts) over the rest.
 * @internal
 */
export const optionsForAttempt = (
  options: RequestOptions | undefined,
  attemptNo: number
): RequestOptions | undefined => {
  const perAttempt = options?.attempts
  if (perAttempt === undefined || perAttempt.length === 0) return options
  return { ...options, ...perAttempt[Math.min(attemptNo, perAttempt.length) - 1] }
}

/** @internal */
export const validationError = (
  error: RequestValidationError,
  method: string,
  url: string | URL,
  attempt: number,
  secrets: Secrets
): InvalidRequestError =>
  new InvalidRequestError({
    method: typeof method === "string" && method.length < 32 ? method : "?",
    url: redactUrl(url, secrets),
    attempt,
    reason: error.reason,
    detail: error.detail,
    cause: error.cause
  })

/** @internal */
export const make = (
  config: ResolvedConfig,
  transport: Transport.TransportService,
  /** The rate limiter over a shared store (Redis); a memory one is made when needed and not given. */
  rateLimiter?: RateLimiter.ExperimentalLimiter | undefined
): ResilientClientService => {
  // --- events -------------------------------------------------------------
  const subscribers = new Set<Queue.Queue<ResilientEvent>>()
  const options = config.options
  const hooks = {
    RequestStarted: options.onRequest,
    RetryScheduled: options.onRetry,
    Succeeded: options.onSuccess,
    Failed: options.onFailure
  } as Record<string, ((event: ResilientEvent) => unknown) | undefined>
  const anyHook = Object.values(hooks).some((h) => h !== undefined)
  const publish = (event: ResilientEvent): void => {
    for (const queue of subscribers) queue.unsafeOffer(event)
    if (anyHook) {
      const hook = hooks[event._tag]
      if (hook) Telemetry.runHook(hook, event)
    }
  }
  const hasListeners = () => anyHook || subscribers.size > 0
  const subscribe = Effect.acquireRelease(
    Effect.sync(() => {
      const queue = Effect.runSync(EventBacklog.make(Telemetry.recordEventsDropped))
      subscribers.add(queue)
      return queue
    }),
    (queue) =>
      Effect.sync(() => {
        subscribers.delete(queue)
      }).pipe(Effect.zipRight(Queue.shutdown(queue)))
  ) as Effect.Effect<Queue.Dequeue<ResilientEvent>, never, Scope.Scope>
  const protections = new Protections(config.protections, publish, rateLimiter, config.maxOrigins)

  // --- preparing ----------------------------------------------------------
  const validate = (options: unknown, fields: RequestOptionFields): RequestValidationError | undefined => {
    const invalid = validateRequestOptions(options, fields)
    if (invalid !== undefined) return invalid
    // every failover URL now, not when its attempt comes (after I/O)
    const failover = (options as RequestOptions | undefined)?.failover
    if (failover === undefined) return undefined
    for (let i = 0; i < failover.length; i++) {
      const joined = joinUrl(failover[i], config.baseUrl, config.redacted)
      if (joined instanceof RequestValidationError) {
        return new RequestValidationError(joined.reason, `failover[${i}]: ${joined.detail}`, joined.cause)
      }
    }
    return undefined
  }

  const prepare = (
    method: string,
    url: string | URL,
    requestOptions: RequestOptions | undefined,
    idempotencyKey?: string | undefined,
    deadlineAt?: number | undefined
  ): PreparedRequest | RequestValidationError => {
    const m = normaliseMethod(method)
    if (m instanceof RequestValidationError) return m
    const joined = joinUrl(url, config.baseUrl, config.redacted)
    if (joined instanceof RequestValidationError) return joined
    const headers: Record<string, string> = { ...config.headers }
    let timeoutMillis: number | undefined
    let maxResponseSize: number | undefined
    let followRedirects: number | undefined
    if (requestOptions !== undefined) {
      const headerError = mergeHeaders(headers, requestOptions.headers, config.redacted)
      if (headerError) return headerError
      if (requestOptions.urlParams !== undefined) {
        const error = appendUrlParamsOption(joined, requestOptions.urlParams)
        if (error) return error
      }
      // the options were validated by the call (validateRequestOptions): here they are only read
      if (requestOptions.timeout !== undefined) {
        timeoutMillis = Duration.toMillis(Duration.decode(requestOptions.timeout))
      }
      maxResponseSize = requestOptions.maxResponseSize
      const f = requestOptions.followRedirects
      if (f !== undefined) followRedirects = f === true ? defaults.followRedirects : f === false ? 0 : f
      const key = requestOptions.idempotencyKey
      if (key !== undefined && key !== false && headers["idempotency-key"] === undefined) {
        headers["idempotency-key"] = key === true ? idempotencyKey ?? newIdempotencyKey() : key
      }
    }
    // URL userinfo becomes Basic auth unless an explicit authorization header is set
    const userinfoError = userinfoToAuthorization(joined, headers)
    if (userinfoError) return userinfoError
    const body = makeBody(requestOptions)
    if (body instanceof RequestValidationError) return body
    return {
      method: m,
      url: joined,
      headers,
      body: body.body,
      replayable: body.replayable,
      timeoutMillis,
      maxResponseSize,
      followRedirects,
      tag: requestOptions?.tag,
      options: requestOptions,
      deadlineAt,
      secrets: config.redacted
    }
  }

  // --- one attempt ----------------------------------------------------------
  const interceptors = config.interceptors
  const attempt = (
    prepared: PreparedRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> =>
    Effect.withFiberRuntime((fiber) => {
      const context = fiber.currentContext
      const attemptNo = currentAttemptNumber(context)
      // the URL as events and errors show it: computed once, and only when something shows it
      let shownUrl: string | undefined
      const shown = () => shownUrl ??= redactUrl(prepared.url, prepared.secrets)
      Hedge.observe(fiber.getFiberRef(Hedge.currentHedgeGate), prepared)
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      const now = clock.unsafeCurrentTimeMillis()
      const time = new AttemptTime(
        now,
        prepared.timeoutMillis ?? config.timeoutMillis,
        earliestDeadline(fiber.getFiberRef(currentDeadline), prepared.deadlineAt)
      )
      if (time.spent) {
        return Effect.fail(
          new TimeoutError({
            method: prepared.method,
            url: shown(),
            attempt: attemptNo,
            scope: "deadline",
            timeout: Duration.millis(0)
          })
        )
      }
      const listening = hasListeners()
      if (listening) {
        publish(
          new Events.RequestStarted({
            method: prepared.method,
            url: shown(),
            attempt: attemptNo,
            timestamp: now,
            tag: prepared.tag
          })
        )
      }
      const maxResponseSize = prepared.maxResponseSize ?? config.maxResponseSize
      const maxRedirects = prepared.followRedirects ?? config.followRedirects

      const exchange = (
        method: string,
        url: URL,
        headers: Record<string, string>,
        body: PreparedRequest["body"],
        redirects: number,
        visited: Set<string> | undefined
      ): Effect.Effect<RawResponse, HttpResilientError> =>
        Effect.flatMap(
          Effect.mapError(
            transport.send({
              method,
              url,
              headers, // the transport copies them before adding body headers
              body,
              timeoutMillis: time.left(clock.unsafeCurrentTimeMillis()),
              maxResponseSize,
              clock
            }),
            (failure) => transportErrorFor(failure, prepared, url, attemptNo, time.timeoutMillis, time.clipped)
          ),
          (raw) => {
            if (!redirectStatuses.has(raw.status) || maxRedirects === 0) return Effect.succeed(raw)
            const hop = redirectHop(
              { method, url, headers, body },
              raw.status,
              raw.headers.location,
              prepared.replayable,
              redirects,
              maxRedirects,
              visited,
              { method: prepared.method, url: shown(), attempt: attemptNo },
              config
            )
            if (hop === undefined) return Effect.succeed(raw)
            if (hop instanceof TransportError) return Effect.fail(hop)
            return exchange(hop.method, hop.url, hop.headers, hop.body, redirects + 1, hop.visited)
          }
        )

      const send = (headers: Record<string, string>): Effect.Effect<RawResponse, HttpResilientError> =>
        interceptors === undefined
          ? exchange(prepared.method, prepared.url, headers, prepared.body, 0, undefined)
          : Interceptors.runRaw(
            interceptors,
            headers === prepared.headers ? prepared : { ...prepared, headers },
            attemptNo,
            config.redacted,
            (out) => exchange(out.method, out.url, out.headers, out.body, 0, undefined)
          )
      const classified = (headers: Record<string, string>) =>
        Effect.flatMap(send(headers), (raw) => {
          const response = new BufferedResponse(raw, () => toPlatformRequest(prepared), config.redacted, attemptNo)
          if (config.acceptStatus(raw.status)) {
            if (listening) {
              publish(
                new Events.Succeeded({
                  method: prepared.method,
                  url: shown(),
                  attempt: attemptNo,
                  timestamp: clock.unsafeCurrentTimeMillis(),
                  tag: prepared.tag,
                  status: raw.status,
                  duration: Duration.millis(clock.unsafeCurrentTimeMillis() - now)
                })
              )
            }
            return Effect.succeed(response as HttpClientResponse.HttpClientResponse)
          }
          return Effect.fail(statusError(prepared, shown(), attemptNo, raw, response, config.redacted, clock))
        })
      const result = Telemetry.instrument(
        fiber,
        config.tracing,
        prepared,
        attemptNo,
        clock,
        now,
        (headers) =>
          protections.guard(
            prepared,
            attemptNo,
            clock,
            time,
            classified(headers)
          )
      )
      return listening
        ? Effect.tapError(result, (error) =>
          Effect.sync(() =>
            publish(
              new Events.AttemptFailed({
                method: prepared.method,
                url: shown(),
                attempt: attemptNo,
                timestamp: clock.unsafeCurrentTimeMillis(),
                tag: prepared.tag,
                error
              })
            )
          ))
        : result
    })

  // --- a whole call -----------------------------------------------------------
  // A call's state lives as long as one run of the call's effect. When the effect is run again by a retry
  // around it (a user's plain `Effect.retry(policy)`), the previous run's error carries its `call` facts: the same
  // call (same method, URL and options object) takes its idempotency key and deadline from them.
  interface Call {
    readonly method: string
    readonly url: string | URL
    readonly options: RequestOptions | undefined
    readonly idempotencyKey: string | undefined
    readonly deadlineAt: number | undefined
    /**
     * set when `deadlineAt` is the request's own `deadline` option (enforced around the call, not a policy's):
     * what its timeout names, updated as attempts start
     */
    readonly info: DeadlineInfo | undefined
    /** the same for an enclosing `withDeadline` */
    readonly outerInfo: DeadlineInfo | undefined
  }

  /** Notes the attempt on `info` and on every deadline enclosing it. */
  const noteAttempt = (info: DeadlineInfo, prepared: PreparedRequest, attemptNo: number) => {
    const url = redactUrl(prepared.url, prepared.secrets)
    for (let at: DeadlineInfo | undefined = info; at !== undefined; at = at.outer) {
      at.method = prepared.method
      at.url = url
      at.attempt = attemptNo
    }
  }

  const attemptOf = (call: Call, attemptNo: number) => {
    const url = urlForAttempt(call.url, call.options, attemptNo)
    const prepared = prepare(
      call.method,
      url,
      optionsForAttempt(call.options, attemptNo),
      call.idempotencyKey,
      // a policy's deadline travels with the request; the request's own is a fiber ref around the whole call
      call.info === undefined ? call.deadlineAt : undefined
    )
    if (prepared instanceof RequestValidationError) {
      const error = validationError(prepared, call.method, url, attemptNo, config.redacted)
      setCall(error, factsOf(call, attemptNo, undefined, true, call.options?.tag))
      return Effect.fail(error)
    }
    if (call.info !== undefined) noteAttempt(call.info, prepared, attemptNo)
    if (call.outerInfo !== undefined) noteAttempt(call.outerInfo, prepared, attemptNo)
    // on failure only (a failure handler costs nothing on success, unlike mapError): the facts a retry policy needs
    return Effect.catchAllCause(attempt(prepared), (cause) => {
      const error = Cause.failureOption(cause)
      if (Option.isSome(error)) {
        setCall(
          error.value,
          factsOf(call, attemptNo, prepared.headers["idempotency-key"], prepared.replayable, prepared.tag)
        )
      }
      return Effect.failCause(cause)
    })
  }

  const factsOf = (
    call: Call,
    attemptNo: number,
    idempotencyKey: string | undefined,
    replayable: boolean,
    tag: string | undefined
  ): CallFacts => new CallFacts(attemptNo, idempotencyKey, replayable, call.deadlineAt, tag, call)

  /** An attempt with the client's `hedge` option, if set. */
  const hedged = (
    attempt: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError>
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> =>
    protections.hedge === undefined ? attempt : Hedge.hedge(attempt, protections.hedge, () => service)

  /** One attempt under a call's own retry policy: the attempt number and a refusal come from that policy. */
  const retriedAttempt = (call: Call) =>
    Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, HttpResilientError>((fiber) => {
      const meta = Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata)
      if (meta.recurrence > 0) {
        const refusal = takeRetryRefusal(meta.input)
        if (refusal !== undefined) return Effect.fail(refusal)
      }
      return attemptOf(call, meta.recurrence + 1)
    })

  const request = (
    method: string,
    url: string | URL,
    requestOptions: RequestOptions | undefined
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
    return Effect.withFiberRuntime((fiber) => {
      const meta = Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata)
      if (requestOptions !== undefined) {
        const invalid = validate(requestOptions, requestOptionFields)
        if (invalid !== undefined) {
          return Effect.fail(validationError(invalid, method, url, meta.recurrence + 1, config.redacted))
        }
      }
      const policy = requestOptions?.retry === false ? undefined : requestOptions?.retry ?? config.retry
      let previous: CallFacts | undefined
      if (meta.recurrence > 0) {
        const refusal = takeRetryRefusal(meta.input)
        if (refusal !== undefined) return Effect.fail(refusal)
        const facts = callOf(meta.input)
        if (facts !== undefined && facts.isCallOf(method, url, requestOptions)) previous = facts
      }
      const attemptNo = meta.recurrence + 1
      const keyOption = requestOptions?.idempotencyKey
      let idempotencyKey: string | undefined
      if (keyOption === true) {
        idempotencyKey = previous?.idempotencyKey
        if (idempotencyKey === undefined) {
          // the copies of a hedged call are one request to the server: they share its key
          const gate = fiber.getFiberRef(Hedge.currentHedgeGate)
          idempotencyKey = gate === undefined
            ? newIdempotencyKey()
            : Hedge.sharedKey(gate, requestOptions!, newIdempotencyKey)
        }
      }
      // deadline: the request's own (exact: the call is interrupted when it passes), else the client's for a
      // call retried by a policy (attempts clip their timeout to it and the policy schedules no sleep past it)
      let deadlineAt: number | undefined
      let exact = false
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      if (requestOptions?.deadline !== undefined) {
        deadlineAt = previous?.deadlineAt ??
          clock.unsafeCurrentTimeMillis() + Duration.toMillis(Duration.decode(requestOptions.deadline))
        exact = true
      } else if (policy !== undefined) {
        deadlineAt = previous?.deadlineAt ?? clock.unsafeCurrentTimeMillis() + Duration.toMillis(config.deadline)
      }
      const call: Call = {
        method,
        url,
        options: requestOptions,
        idempotencyKey,
        deadlineAt,
        info: exact
          ? { method, url: redactUrl(url, config.redacted), attempt: attemptNo, outer: undefined }
          : undefined,
        outerInfo: fiber.getFiberRef(currentDeadlineInfo)
      }
      // a policy's deadline reaches the attempts through `prepared.deadlineAt` and the policy through the
      // errors' `call.deadlineAt`, so nothing is wrapped around the call for it
      const run = policy === undefined
        ? hedged(attemptOf(call, attemptNo))
        : retryOnFailure(
          meta.recurrence,
          () => hedged(attemptOf(call, 1)),
          () => hedged(retriedAttempt(call)),
          policy
        )
      if (!exact) return run
      const existing = fiber.getFiberRef(currentDeadline)
      return boundByDeadline(run, deadlineAt!, clock.unsafeCurrentTimeMillis(), existing, call.info!)
    })
  }

  const service: ResilientClientService = {
    config,
    transport,
    validate,
    prepare,
    attempt,
    request,
    publish,
    hasListeners,
    subscribe,
    retryBudget: protections.retryBudget,
    protections
  }
  return service
}

// ---------------------------------------------------------------------------
// layers
// ---------------------------------------------------------------------------

/** @internal */
export const layerWithTransport = (
  options: ClientOptions = {}
): Layer.Layer<ResilientClient, ConfigError.ConfigError, Transport.Transport> =>
  Layer.scoped(
    ResilientClient,
    Effect.flatMap(
      Effect.suspend(() => Either.match(resolveConfig(options), { onLeft: Effect.fail, onRight: Effect.succeed })),
      (config) =>
        Effect.flatMap(Transport.Transport, (transport) =>
          Effect.acquireRelease(
            config.protections.rateLimiter?.quota === undefined
              ? Effect.sync(() => make(config, transport))
              : Effect.map(RateLimiter.limiterFromContext, (limiter) => make(config, transport, limiter)),
            // per-origin state goes with the client's scope
            (client) => Effect.sync(() => client.protections.release())
          ))
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

/**
 * The state of the circuit breaker of the origin of `origin` (absolute, or relative to the client's `baseUrl`);
 * something that names no origin is an `InvalidRequestError`.
 * @internal
 */
export const circuitState = (origin: string | URL): Effect.Effect<CircuitState, InvalidRequestError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (client) => {
    const url = joinUrl(origin, client.config.baseUrl, client.config.redacted)
    if (url instanceof RequestValidationError) {
      return Effect.fail(
        new InvalidRequestError({
          method: "",
          url: "",
          attempt: 1,
          reason: "InvalidUrl",
          detail: `circuitState: ${url.detail}`,
          cause: url.cause
        })
      )
    }
    return Effect.map(Clock.currentTimeMillis, (now) => client.protections.circuitState(url.origin, now))
  })

/** @internal */
export const events: Stream.Stream<ResilientEvent, never, ResilientClient> = Stream.unwrapScoped(
  Effect.map(Effect.flatMap(ResilientClient, (client) => client.subscribe), (queue) => Stream.fromQueue(queue))
)

/** @internal */
export const subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, ResilientClient | Scope.Scope> = Effect
  .flatMap(ResilientClient, (client) => client.subscribe)

/**
 * Sends a platform request: its method, URL, URL parameters, fragment, headers and body, with `options` over them
 * (the options' headers win, their `urlParams` come after the request's). The request's URL parameters go through
 * the `urlParams` option, so a relative URL keeps them as `get` does.
 * @internal
 */
export const execute = (
  request: HttpClientRequest.HttpClientRequest,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (client) => {
    let url = request.url
    if (request.hash._tag === "Some") {
      const at = url.indexOf("#")
      url = `${at < 0 ? url : url.slice(0, at)}#${request.hash.value}`
    }
    if (options !== undefined) {
      // checked before merging: the merge reads the options' headers and urlParams
      const invalid = client.validate(options, requestOptionFields)
      if (invalid !== undefined) {
        return Effect.fail(validationError(invalid, request.method, url, 1, client.config.redacted))
      }
    }
    const headers: Record<string, string> = { ...request.headers }
    mergeHeaders(headers, options?.headers, client.config.redacted)
    let urlParams = options?.urlParams
    if (request.urlParams.length > 0) {
      const params = new URLSearchParams(request.urlParams as Array<[string, string]>)
      appendParams(params, urlParams)
      urlParams = params
    }
    const merged: RequestOptions = {
      ...options,
      headers,
      ...(urlParams === undefined ? {} : { urlParams }),
      ...(request.body._tag === "Empty" ? {} : { body: request.body })
    }
    return client.request(request.method, url, merged)
  })

/**
 * Opens `connections` sockets to `origin` ahead of demand (see `WarmUp`); relative to the client's `baseUrl`.
 * @internal
 */
export const warmUp = (
  origin: string | URL,
  connections: number
): Effect.Effect<void, HttpResilientError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (client) => {
    const secrets = client.config.redacted
    const url = joinUrl(origin, client.config.baseUrl, secrets)
    const info = { method: "CONNECT", attempt: 1 }
    if (url instanceof RequestValidationError) return Effect.fail(validationError(url, "CONNECT", origin, 1, secrets))
    if (!Number.isInteger(connections) || connections < 1 || connections > 65_536) {
      return Effect.fail(
        new InvalidRequestError({
          ...info,
          url: redactUrl(url, secrets),
          reason: "InvalidOption",
          detail: `warmUp: connections ${connections} is not an integer from 1 to 65536`
        })
      )
    }
    return Effect.withFiberRuntime((fiber) =>
      Effect.mapError(
        client.transport.warmUp(
          new URL(url.origin),
          connections,
          Context.get(fiber.currentDefaultServices, Clock.Clock)
        ),
        (failure) =>
          failure.reason === "InvalidRequest"
            ? new InvalidRequestError({
              ...info,
              url: redactUrl(url, secrets),
              reason: "InvalidOption",
              detail: failure.cause instanceof Error ? failure.cause.message : "warmUp is not supported",
              cause: failure.cause
            })
            : new TransportError({
              ...info,
              url: redactUrl(url, secrets),
              reason: failure.reason === "Timeout" ? "ConnectTimeout" : failure.reason,
              detail: failure.detail,
              cause: failure.cause
            })
      )
    )
  })
