/**
 * The attempt pipeline of the v4 edition: the stages of ONE attempt, in the root entry's order
 * (src/internal/pipeline.ts), composed once per client at `make`. Each stage is `(next: Attempt) => Attempt` in its
 * own file under `stage/`; a stage whose feature is off (no bulkhead, no breaker, no retry budget) is `next`
 * itself.
 *
 * Order of a buffered attempt (before it, the runner builds the request and makes the attempt's state):
 *
 * 1. `deadline`: the deadline already spent → `TimeoutError` deadline, nothing sent;
 * 2. `events`: `RequestStarted`;
 * 3. `telemetry`: span (when `tracing`), duration histogram;
 * 4. `rateLimit` (waits for the quota, or `RateLimitedError`) → `bulkhead` → 5. `breaker`;
 * 6. `settle`: the retry budget of the origin counts the request and learns how it ended;
 * 7. `classify`: a status outside `acceptStatus` → `StatusError`, else `Succeeded`;
 * 8. `interceptors` (when any): request side, then the response side on the response in memory;
 * 9. `progress` (a request with `onProgress`): the body sent, and the body read, reported;
 * 10. `redirects`: followed inside the attempt;
 * 11. `cookies` (when the client has a jar): on every hop, the jar's cookies for its URL sent, its `Set-Cookie`
 *     stored;
 * 12. `send`: the transport, body read into memory, under the attempt timeout.
 *
 * The stages a streamed attempt would share are `around`'s; only the inner ones (classification, redirects, the
 * last stage) differ.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schedule from "effect/Schedule"
import { optionsForAttempt } from "../../../src/core/attempts.js"
import type { RawResponse } from "../../../src/core/exchange.js"
import { urlForAttempt } from "../../../src/core/failover.js"
import { mayHedge, observeRequest } from "../../../src/core/hedge.js"
import { RequestValidationError } from "../../../src/core/requestError.js"
import { redactUrl } from "../../../src/core/secrets.js"
import { type HttpResilientError, InvalidRequestError, setCall } from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import { type Attempt, AttemptState, reportGaveUp } from "./attempt.js"
import type { ClientState } from "./client.js"
import { CurrentHedgeGate } from "./hedge.js"
import { BadOption } from "./options.js"
import { build, type Built, checkAttemptsOption, type RequestOptions } from "./request.js"
import { CurrentDeadline, type Opened, type OpenStreamed } from "./service.js"
import { breaker } from "./stage/breaker.js"
import { bulkhead } from "./stage/bulkhead.js"
import { classify } from "./stage/classify.js"
import { cookies } from "./stage/cookies.js"
import { deadline } from "./stage/deadline.js"
import { events } from "./stage/events.js"
import { interceptors, requestInterceptors } from "./stage/interceptors.js"
import { classifyStreamed, open, readErrorBody } from "./stage/open.js"
import { progress } from "./stage/progress.js"
import { rateLimit } from "./stage/rateLimit.js"
import { redirects } from "./stage/redirects.js"
import { send } from "./stage/send.js"
import { settle } from "./stage/settle.js"
import { spansOn, telemetry } from "./stage/telemetry.js"
import type { StreamingResponse } from "./transport.js"

/**
 * The stages every attempt runs, buffered or streamed, around `inner` (the stages that differ): deadline, events,
 * telemetry, then the protections.
 * @internal
 */
export const around = <A extends { readonly status: number }>(client: ClientState, inner: Attempt<A>): Attempt<A> =>
  deadline(
    events(client.publish)(
      telemetry(client)(
        rateLimit(client.rateLimiter)(
          bulkhead(client.bulkhead)(
            breaker(client.breaker)(
              settle(client)(inner)
            )
          )
        )
      )
    )
  )

/**
 * The stages of a buffered attempt, composed.
 * @internal
 */
export const buffered = (client: ClientState): Attempt<HttpClientResponse.HttpClientResponse> =>
  around(
    client,
    classify(client)(
      interceptors(client.interceptors)(
        progress<RawResponse>(true)(
          redirects(client)(
            cookies(client.cookieJar)(
              send(client.transport, client.maxResponseSize, client.decompress)
            )
          )
        )
      )
    )
  )

/**
 * The stages of a streamed attempt, composed: the same as a buffered one's but for the end — classification reads
 * an error's body (at most 1 MiB) and leaves an accepted one in the socket, a redirect's response is drained before
 * the next hop, and the last stage `open`s the response (its head) under the attempt's scope.
 * @internal
 */
export const streamed = (client: ClientState): Attempt<StreamingResponse> =>
  around(
    client,
    classifyStreamed(client)(
      requestInterceptors(client.interceptors)(
        progress<StreamingResponse>(false)(
          redirects<StreamingResponse>(client, readErrorBody)(
            cookies(client.cookieJar)(
              open(client.transport, client.maxResponseSize, client.decompress)
            )
          )
        )
      )
    )
  )

/**
 * Runs attempt `number` at opening a streamed response of `method url` through `attempt`, with `extraHeaders` over
 * the request's (a range, `Last-Event-ID`) and `verbHeaders` under them (an event stream's `accept`); its deadline
 * is `deadlineAt` (the stream's, when it has one) or its own, the earlier; `scope` owns the socket. A failed attempt
 * publishes `AttemptFailed`; whether it was the last is the stream's policy's to tell.
 * @internal
 */
export const runStreamed =
  (client: ClientState, attempt: Attempt<StreamingResponse>): OpenStreamed =>
  (method, url, options, verbHeaders, extraHeaders, number, deadlineAt, scope) =>
    Effect.withFiber((fiber) => {
      const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
      const state = stateOf(client, method, url, options, undefined, number, now, deadlineAt)
      if (state instanceof InvalidRequestError) return Effect.fail(state)
      state.scope = scope
      state.spans = spansOn(client.tracing, fiber)
      const built = state.built
      const request = verbHeaders === undefined && extraHeaders === undefined
        ? built
        : { ...built, headers: { ...verbHeaders, ...built.headers, ...extraHeaders } }
      return Effect.catch(
        Effect.map(attempt(state, request), (response): Opened => ({ response, state })),
        report(client, state, false)
      )
    })

/** Attempt `number` of a built request: its deadline (the enclosing one or its own, the earlier) and timeout. */
const stateOf = (
  client: ClientState,
  method: string,
  url: string | URL,
  options: RequestOptions,
  generatedKey: string | undefined,
  number: number,
  now: number,
  scoped: number | undefined
): AttemptState | InvalidRequestError => {
  let built: Built | RequestValidationError | undefined
  if (options.attempts !== undefined) {
    // every entry checked, then this attempt's over the rest (the shared core's rule)
    built = checkAttemptsOption(options.attempts, client)
    options = optionsForAttempt(options, number)!
  }
  built ??= build(method, urlForAttempt(url, options.failover, number), options, client, generatedKey)
  let own = client.deadlineMillis
  let attemptMillis = client.timeoutMillis
  if (!(built instanceof RequestValidationError) && (options.deadline !== undefined || options.timeout !== undefined)) {
    // the call's own durations, by the root entry's rule (a positive finite duration), named as the option
    try {
      if (options.deadline !== undefined) own = client.millisOf("deadline", options.deadline)
      if (options.timeout !== undefined) attemptMillis = client.millisOf("timeout", options.timeout)
    } catch (bad) {
      if (!(bad instanceof BadOption)) throw bad
      built = new RequestValidationError("InvalidOption", `${bad.option}: ${bad.reason}`)
    }
  }
  if (built instanceof RequestValidationError) {
    const shown = typeof url === "string" || url instanceof URL ? redactUrl(url, client.secrets) : ""
    return new InvalidRequestError({
      method: String(method).toUpperCase(),
      url: shown,
      attempt: number,
      reason: built.reason,
      detail: built.detail
    })
  }
  const deadlineAt = scoped === undefined ? now + own : Math.min(scoped, now + own)
  const remaining = deadlineAt - now
  return new AttemptState(
    built,
    options,
    { method: built.method, url: redactUrl(built.url, client.secrets), attempt: number },
    now,
    deadlineAt,
    Math.min(attemptMillis, remaining),
    remaining < attemptMillis,
    options.acceptStatus === undefined ? client.accept : client.acceptOf(options.acceptStatus),
    {
      attempt: number,
      idempotencyKey: built.idempotencyKey,
      replayable: built.replayable,
      deadlineAt,
      tag: options.tag,
      gaveUp: undefined,
      refusal: undefined
    }
  )
}

/**
 * A failed attempt's error carries the call's facts; `AttemptFailed` is published, and `Failed` when the attempt is
 * the call's last (no retry and no hedge around it).
 */
const report = (client: ClientState, state: AttemptState, last: boolean) => (error: HttpResilientError) => {
  setCall(error, state.call)
  client.publish(new Events.AttemptFailed({ ...state.info, timestamp: state.now, tag: state.options.tag, error }))
  if (last) reportGaveUp(client.publish, error, state.now)
  return Effect.fail(error)
}

/**
 * Runs one attempt of `method url` through `attempt`: its number is the retry's (`Schedule.CurrentMetadata`), its
 * deadline the enclosing one (`CurrentDeadline`) or its own, the earlier; a request that does not build fails with
 * `InvalidRequestError` before any stage.
 * @internal
 */
export const run = (client: ClientState, attempt: Attempt<HttpClientResponse.HttpClientResponse>) =>
(
  method: string,
  url: string | URL,
  options: RequestOptions,
  generatedKey: string | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> =>
  // one step: the retry's metadata, the clock and the enclosing deadline read off the fiber
  Effect.withFiber((fiber) => {
    const meta = fiber.getRef(Schedule.CurrentMetadata)
    const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
    const scoped = fiber.getRef(CurrentDeadline)
    const state = stateOf(client, method, url, options, generatedKey, meta.attempt + 1, now, scoped)
    if (state instanceof InvalidRequestError) return Effect.fail(state)
    state.spans = spansOn(client.tracing, fiber)
    const gate = fiber.getRef(CurrentHedgeGate)
    if (gate !== undefined) {
      const built = state.built
      const repeatable = mayHedge(built.method, built.idempotencyKey !== undefined, built.replayable)
      observeRequest(gate, repeatable, built.method, built.url, client.secrets, options.tag)
    }
    // no retry around this call (no policy here, not inside any Effect.retry) and no hedge: this attempt is its last
    const last = gate === undefined && !fiber.context.mapUnsafe.has(Schedule.CurrentMetadata.key)
    return Effect.catch(attempt(state, state.built), report(client, state, last))
  })
