/**
 * One attempt, in the order of the root entry's pipeline: build and validate the request, the deadline, the
 * circuit breaker, the transport under the attempt timeout (clipped to the deadline), classification; events,
 * metrics, breaker and budget record the outcome.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { REJECTED } from "../../../src/core/circuitBreaker.js"
import type { RawResponse } from "../../../src/core/exchange.js"
import { redirectHop, RedirectRefused } from "../../../src/core/redirects.js"
import { RequestValidationError } from "../../../src/core/requestError.js"
import { waitMillisFromHeaders } from "../../../src/core/retryAfter.js"
import { redactHeaders, redactUrl } from "../../../src/core/secrets.js"
import { TransportFailure } from "../../../src/core/transportFailure.js"
import {
  type CallInfo,
  CircuitOpenError,
  type HttpResilientError,
  InvalidRequestError,
  RateLimitedError,
  type RequestInfo,
  setCall,
  StatusError,
  TimeoutError,
  TransportError
} from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import type { ClientState } from "./client.js"
import { build, type Built, type RequestOptions } from "./request.js"
import { CurrentDeadline } from "./service.js"
import type { TransportRequest } from "./transport.js"

const nullBodyStatuses = new Set([101, 204, 205, 304])

/** The platform response users read (`json`, `text`, `headers` …); its request carries no secret. */
const toResponse = (raw: RawResponse, built: Built, state: ClientState): HttpClientResponse.HttpClientResponse => {
  const request = HttpClientRequest.make(built.method as "GET")(redactUrl(built.url, state.secrets), {
    headers: redactHeaders(built.headers, state.secrets)
  })
  const headers = new Headers(raw.headers)
  for (const cookie of raw.setCookie) headers.append("set-cookie", cookie)
  const body = nullBodyStatuses.has(raw.status) ? null : raw.body
  return HttpClientResponse.fromWeb(request, new Response(body as BodyInit | null, { status: raw.status, headers }))
}

const failureToError = (failure: TransportFailure, info: RequestInfo, timeoutMillis: number, deadline: boolean) => {
  if (failure.reason === "Timeout") {
    return new TimeoutError({
      ...info,
      scope: deadline ? "deadline" : "attempt",
      timeout: Duration.millis(timeoutMillis)
    })
  }
  if (failure.reason === "InvalidRequest") {
    return new InvalidRequestError({
      ...info,
      reason: failure.invalid ?? "InvalidOption",
      detail: failure.detail ?? ""
    })
  }
  return new TransportError({ ...info, reason: failure.reason, detail: failure.detail, cause: failure.cause })
}

/**
 * Sends `request`, following redirects by the core's rules (src/core/redirects.ts) inside the attempt; a refused
 * hop fails with its reason (`RedirectLoop`, `TooManyRedirects`, `InsecureRedirect`).
 */
const following = (
  state: ClientState,
  request: TransportRequest,
  redirects: number,
  visited: Set<string> | undefined
): Effect.Effect<RawResponse, TransportFailure> =>
  Effect.flatMap(state.transport.send(request), (raw) => {
    const hop = redirectHop<TransportRequest["body"]>(
      request,
      { status: raw.status, location: raw.headers.location },
      { replayable: true, redirects, maxRedirects: state.followRedirects, visited },
      { redacted: state.secrets, allowInsecureRedirects: state.allowInsecureRedirects },
      null
    )
    if (hop === undefined) return Effect.succeed(raw)
    if (hop instanceof RedirectRefused) return Effect.fail(new TransportFailure(hop.reason, undefined, hop.detail))
    return following(state, { ...request, ...hop }, redirects + 1, hop.visited)
  })

/** Runs one attempt of `method url`. */
export const attempt = (
  state: ClientState,
  method: string,
  url: string | URL,
  options: RequestOptions,
  generatedKey: string | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> =>
  Effect.gen(function*() {
    const meta = yield* Effect.service(Schedule.CurrentMetadata)
    const context = yield* Effect.context<never>()
    const number = meta.attempt + 1
    const now = yield* Clock.currentTimeMillis
    const built = build(method, url, options, state, generatedKey)
    if (built instanceof RequestValidationError) {
      const shown = typeof url === "string" || url instanceof URL ? redactUrl(url, state.secrets) : ""
      return yield* new InvalidRequestError({
        method: String(method).toUpperCase(),
        url: shown,
        attempt: number,
        reason: built.reason,
        detail: built.detail
      })
    }
    const info: RequestInfo = { method: built.method, url: redactUrl(built.url, state.secrets), attempt: number }
    const scoped = yield* Effect.service(CurrentDeadline)
    const own = now +
      (options.deadline === undefined ? state.deadlineMillis : state.millisOf("deadline", options.deadline))
    const deadlineAt = scoped === undefined ? own : Math.min(scoped, own)
    const call: { -readonly [K in keyof CallInfo]: CallInfo[K] } = {
      attempt: number,
      idempotencyKey: built.idempotencyKey,
      replayable: true,
      deadlineAt,
      tag: options.tag,
      gaveUp: undefined,
      refusal: undefined
    }
    // no retry around this call (no policy here, not inside any Effect.retry): this attempt is its last
    const last = !context.mapUnsafe.has(Schedule.CurrentMetadata.key)
    const fail = (error: HttpResilientError) => {
      setCall(error, call)
      state.publish(new Events.AttemptFailed({ ...info, timestamp: now, tag: options.tag, error }))
      if (last) {
        const reason = error._tag === "TimeoutError" && error.scope === "deadline" ? "deadline" : "exhausted"
        call.gaveUp = reason
        state.publish(new Events.Failed({ ...info, timestamp: now, tag: options.tag, reason, error }))
      }
      return Effect.fail(error)
    }
    if (now >= deadlineAt) {
      return yield* fail(new TimeoutError({ ...info, scope: "deadline", timeout: Duration.millis(deadlineAt - now) }))
    }
    state.publish(new Events.RequestStarted({ ...info, timestamp: now, tag: options.tag }))
    state.retryBudget?.recordRequest(now)
    const origin = built.url.origin
    const limiter = state.rateLimiter
    let start = now
    if (limiter !== undefined) {
      const clock = yield* Clock.Clock
      const waited = yield* Effect.result(limiter.acquire(built, clock, deadlineAt))
      if (waited._tag === "Failure") {
        return yield* fail(new RateLimitedError({ ...info, waitFor: Duration.millis(waited.failure.waitMillis) }))
      }
      start += waited.success
    }
    const attemptMillis = options.timeout === undefined
      ? state.timeoutMillis
      : state.millisOf("timeout", options.timeout)
    const remaining = deadlineAt - start
    const byDeadline = remaining < attemptMillis
    const timeoutMillis = Math.min(attemptMillis, remaining)
    const accept = options.acceptStatus === undefined ? state.accept : state.acceptOf(options.acceptStatus)
    const exchange = Effect.flatMap(
      Effect.timeoutOrElse(
        following(
          state,
          {
            method: built.method,
            url: built.url,
            headers: built.headers,
            body: built.body,
            timeoutMillis,
            maxResponseSize: state.maxResponseSize
          },
          0,
          undefined
        ),
        { duration: timeoutMillis, orElse: () => Effect.fail({ reason: "Timeout" } as TransportFailure) }
      ).pipe(Effect.mapError((failure) => failureToError(failure, info, timeoutMillis, byDeadline))),
      (raw): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
        const response = toResponse(raw, built, state)
        if (accept(raw.status)) return Effect.succeed(response)
        const wait = waitMillisFromHeaders(raw.headers, now)
        return Effect.fail(
          new StatusError({
            ...info,
            status: raw.status,
            statusText: raw.statusText,
            headers: redactHeaders(raw.headers, state.secrets),
            response,
            retryAfter: wait === undefined ? Option.none() : Option.some(Duration.millis(wait))
          })
        )
      }
    )
    const guarded = state.guard(origin, info, exchange, start)
    const traced = state.tracing
      ? Effect.withSpan(guarded, `HTTP ${built.method}`, {
        kind: "client",
        attributes: {
          "http.request.method": built.method,
          "url.full": info.url,
          "server.address": built.url.hostname,
          ...(number > 1 ? { "http.request.resend_count": number - 1 } : {}),
          ...(options.tag === undefined ? {} : { "http_resilient.tag": options.tag })
        }
      })
      : guarded
    const exit = yield* Effect.exit(traced)
    const end = yield* Clock.currentTimeMillis
    state.recordDuration(built, end - now, Exit.isSuccess(exit) ? exit.value.status : undefined, exit)
    if (Exit.isSuccess(exit)) {
      const status = exit.value.status
      state.publish(
        new Events.Succeeded({
          ...info,
          timestamp: end,
          tag: options.tag,
          status,
          duration: Duration.millis(end - now)
        })
      )
      return exit.value
    }
    const error = Option.getOrUndefined(Exit.findErrorOption(exit))
    if (error === undefined) return yield* exit
    limiter?.observe(origin, error, end)
    return yield* fail(error)
  })

/** The error of an open breaker: no request was sent. */
export const circuitOpen = (
  info: RequestInfo,
  origin: string,
  retryAt: number,
  half: boolean,
  probes: number | undefined
): CircuitOpenError => new CircuitOpenError({ ...info, origin, retryAt, state: half ? "half-open" : "open", probes })

export { REJECTED }
