/**
 * The attempt pipeline: the stages of ONE attempt, in the order they run, composed once per client (the buffered
 * attempt at `make`, the streamed one at the client's first stream, `streamPartsOf`).
 *
 * Each stage is `(next: Attempt) => Attempt` in its own file under `stage/`; a stage whose feature is off (no rate
 * limiter, no bulkhead, no breaker, no interceptors, no per-attempt protection at all) is `next` itself, so it
 * costs nothing per request. An attempt is a function of one `AttemptState` (made when the attempt starts) and the
 * request it sends.
 *
 * Order of a buffered attempt (before it, the call prepares the request: DESIGN "One call, step by step" 1; as it
 * starts, `runBuffered` tells an enclosing hedge what it sends and makes its state):
 *
 * 1. `deadline`: the deadline already spent → `TimeoutError` deadline, nothing sent (the attempt's timeout is
 *    clipped to the deadline when the state is made);
 * 2. `events`: `RequestStarted`, and `AttemptFailed` when the attempt fails;
 * 3. `telemetry`: span (its `traceparent` among the headers every later stage sends), debug logs, duration
 *    histogram;
 * 4. `protect`: the protections' interruption mask (only when one is on);
 * 5. `rateLimit` → 6. `bulkhead` → 7. `breaker` (which, when on, has the retry budget count the request);
 * 8. `settle`: the retry budget counts the request (breakers off); the slot is given back and the outcome recorded
 *    on the breaker and the rate limiter however the attempt ends; the stages after it stay inside the mask, each
 *    running its waits interruptibly (`state.wait`; the undici transport is given the mask's `restore`), unless the
 *    client has interceptors, whose user code runs the rest (a resend) and gets it interruptible as a whole;
 * 9. `classify`: a status outside `acceptStatus` → `StatusError`, else `Succeeded`;
 * 10. `interceptors`: request side, then (after the exchange) response side;
 * 11. `progress` (a request with `onProgress`): the body sent, and the body read, reported;
 * 12. `redirects`: followed inside the attempt;
 * 13. `cookies` (when the client has a jar): on every hop, the jar's cookies for its URL sent, its `Set-Cookie`
 *     stored;
 * 14. `send`: the transport, body read into memory, under the attempt timeout.
 *
 * Where this differs from DESIGN's numbered list (which reads in the order a reader thinks of it): the span and the
 * duration histogram wrap the protections, so the rate limiter's and the bulkhead queue's waits are inside them;
 * the events too (a rejected attempt has its `RequestStarted` and `AttemptFailed`); the interceptors run inside
 * the protections and see the span's `traceparent`; classification (DESIGN 7) happens on what the response
 * interceptors returned, around them rather than after them, and before the breaker records the outcome.
 *
 * A streamed attempt runs the same stages; it differs in its last stage (`open`: the response's head, the body
 * left in the socket, owned by the attempt's scope) and in what follows from a body not in memory: the
 * classification reads an error's body (`classifyStreamed`), only the request side of the interceptors runs
 * (`requestInterceptors`), a redirect's body is drained before the next hop, and `progress` reports the body as
 * the stream verbs read it (`stream.ts`), not in one piece.
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type { HttpResilientError } from "../HttpResilientError.js"
import { type Attempt, AttemptState } from "./attempt.js"
import type { ResolvedConfig } from "./config.js"
import { currentDeadline, earliestDeadline } from "./deadline.js"
import type { EventHub } from "./eventHub.js"
import * as Hedge from "./hedge.js"
import type { Protections } from "./protections.js"
import type { PreparedRequest } from "./request.js"
import type { RawResponse } from "./response.js"
import { breaker } from "./stage/breaker.js"
import { bulkhead } from "./stage/bulkhead.js"
import { classify, classifyStreamed } from "./stage/classify.js"
import { cookies } from "./stage/cookies.js"
import { deadline } from "./stage/deadline.js"
import { events } from "./stage/events.js"
import { interceptors, requestInterceptors } from "./stage/interceptors.js"
import { open, readErrorBody } from "./stage/open.js"
import { progress } from "./stage/progress.js"
import { protect } from "./stage/protect.js"
import { rateLimit } from "./stage/rateLimit.js"
import { redirects } from "./stage/redirects.js"
import { send } from "./stage/send.js"
import { settle } from "./stage/settle.js"
import { telemetry } from "./stage/telemetry.js"
import type { StreamingResponse, TransportService } from "./transport.js"

/**
 * What the stages of a client need, given once at `make`.
 * @internal
 */
export interface PipelineParts {
  readonly config: ResolvedConfig
  readonly transport: TransportService
  readonly protections: Protections
  readonly hub: EventHub
}

/**
 * The stages every attempt runs, buffered or streamed, around `inner` (the stages that differ): deadline, events,
 * telemetry, then the protections and the settling of their outcome.
 */
const around = <A extends { readonly status: number }>(parts: PipelineParts, inner: Attempt<A>): Attempt<A> => {
  const { config, hub, protections } = parts
  return deadline(
    events(hub)(
      telemetry(config.tracing)(
        protect(protections)(
          rateLimit(protections.rateLimiter)(
            bulkhead(protections.bulkhead)(
              breaker(protections)(
                settle(protections, config.interceptors !== undefined)(inner)
              )
            )
          )
        )
      )
    )
  )
}

/**
 * The stages of a buffered attempt, composed.
 * @internal
 */
export const buffered = (parts: PipelineParts): Attempt<HttpClientResponse.HttpClientResponse> =>
  around(
    parts,
    classify(parts.config, parts.hub)(
      interceptors(parts.config)(
        progress<RawResponse>(true)(
          redirects<RawResponse>(parts.config)(
            cookies(parts.config.cookieJar)(
              send(parts.transport, parts.config)
            )
          )
        )
      )
    )
  )

/**
 * The stages of a streamed attempt, composed: the same as a buffered one's but for the end (see above).
 * @internal
 */
export const streamed = (parts: PipelineParts): Attempt<StreamingResponse> =>
  around(
    parts,
    classifyStreamed(parts.config, parts.hub)(
      requestInterceptors(parts.config)(
        progress<StreamingResponse>(false)(
          redirects<StreamingResponse>(parts.config, readErrorBody)(
            cookies(parts.config.cookieJar)(
              open(parts.transport, parts.config)
            )
          )
        )
      )
    )
  )

/**
 * The state of attempt `attemptNo` of `prepared`, started now by the fiber's Clock: its timeout (the request's, else
 * the client's) clipped to the earlier of the enclosing deadline and `deadlineAt`.
 */
const stateOf = (
  fiber: Fiber.RuntimeFiber<any, any>,
  prepared: PreparedRequest,
  attemptNo: number,
  config: ResolvedConfig,
  deadlineAt: number | undefined
): AttemptState => {
  const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
  return new AttemptState(
    fiber,
    prepared,
    attemptNo,
    clock,
    clock.unsafeCurrentTimeMillis(),
    prepared.timeoutMillis ?? config.timeoutMillis,
    earliestDeadline(fiber.getFiberRef(currentDeadline), deadlineAt)
  )
}

/**
 * Runs one buffered attempt of `prepared` through `attempt`: its number is the fiber's (from
 * `Schedule.CurrentIterationMetadata`), an enclosing hedge is told what it sends, and its timeout is clipped to the
 * earlier of the enclosing deadline and the call's own policy's (`prepared.deadlineAt`).
 * @internal
 */
export const runBuffered = (
  attempt: Attempt<HttpClientResponse.HttpClientResponse>,
  config: ResolvedConfig
) => {
  const run = runBufferedIn(attempt, config)
  return (prepared: PreparedRequest): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> =>
    Effect.withFiberRuntime((fiber) => run(fiber, prepared))
}

/**
 * `runBuffered` as `fiber` runs it, for a caller that already has the fiber that runs the effect it returns, at once
 * (a plain call: one step less).
 * @internal
 */
export const runBufferedIn = (
  attempt: Attempt<HttpClientResponse.HttpClientResponse>,
  config: ResolvedConfig
) =>
(
  fiber: Fiber.RuntimeFiber<any, any>,
  prepared: PreparedRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError> => {
  const attemptNo = Context.get(fiber.currentContext, Schedule.CurrentIterationMetadata).recurrence + 1
  Hedge.observe(fiber.getFiberRef(Hedge.currentHedgeGate), prepared)
  return attempt(stateOf(fiber, prepared, attemptNo, config, prepared.deadlineAt), prepared)
}

/**
 * Runs attempt `attemptNo` at opening a streamed response of `prepared` (with `extraHeaders` over its headers)
 * through `attempt`. Its timeout is clipped to the earlier of the enclosing deadline and the stream's own
 * (`deadlineAt`), as a buffered attempt's is. The scope owns the socket.
 * @internal
 */
export const runStreamed = (
  attempt: Attempt<StreamingResponse>,
  config: ResolvedConfig
) =>
(
  prepared: PreparedRequest,
  extraHeaders: Record<string, string> | undefined,
  attemptNo: number,
  deadlineAt: number | undefined
): Effect.Effect<StreamingResponse, HttpResilientError, Scope.Scope> =>
  Effect.scopeWith((scope) =>
    Effect.withFiberRuntime((fiber) => {
      const state = stateOf(fiber, prepared, attemptNo, config, deadlineAt)
      state.scope = scope
      if (extraHeaders === undefined) return attempt(state, prepared)
      const headers = { ...prepared.headers, ...extraHeaders }
      return attempt(state, { method: prepared.method, url: prepared.url, headers, body: prepared.body })
    })
  )
