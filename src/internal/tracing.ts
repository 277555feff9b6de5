/**
 * What an attempt's telemetry does around it: spans, debug logs and the duration histogram (`instrument`).
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import type * as Tracer from "effect/Tracer"
import { redactUrl, type Secrets } from "../core/secrets.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import { attributes, errorType, measured, portOf, statusOf } from "./telemetry.js"

// ---------------------------------------------------------------------------
// spans
// ---------------------------------------------------------------------------

let builtInTracer: Tracer.Tracer | undefined

/** Effect's own tracer: every fiber has it unless another one is installed. @internal */
export const defaultTracer = (): Tracer.Tracer => builtInTracer ??= Effect.runSync(Effect.tracer)

/**
 * Whether an attempt makes a span: `tracing` forces it on or off; by default only when a tracer other than
 * Effect's built-in one is installed. Never inside `Effect.withTracerEnabled(false)`.
 * @internal
 */
export const spansEnabled = (tracing: boolean | undefined, fiber: Fiber.RuntimeFiber<any, any>): boolean =>
  (tracing === undefined ? fiber.currentTracer !== defaultTracer() : tracing) &&
  fiber.getFiberRef(FiberRef.currentTracerEnabled)

/** The W3C `traceparent` naming `span`. @internal */
export const traceparent = (span: Tracer.Span): string =>
  `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`

/**
 * Runs one attempt in a client span `HTTP {method}` (a child of the caller's span) whose semantic-convention
 * attributes are set from the request and the outcome; `run` gets the `traceparent` to send.
 * @internal
 */
export const traced = <A extends { readonly status: number }, R>(
  method: string,
  url: URL,
  attempt: number,
  tag: string | undefined,
  secrets: Secrets,
  run: (traceparent: string) => Effect.Effect<A, HttpResilientError, R>
): Effect.Effect<A, HttpResilientError, R> => {
  const spanAttributes: Record<string, unknown> = {
    [attributes.method]: method,
    [attributes.urlFull]: redactUrl(url, secrets),
    [attributes.serverAddress]: url.hostname,
    [attributes.serverPort]: Number(portOf(url))
  }
  if (attempt > 1) spanAttributes[attributes.resendCount] = attempt - 1
  if (tag !== undefined) spanAttributes[attributes.tag] = tag
  return Effect.useSpan(
    `HTTP ${method}`,
    { kind: "client", attributes: spanAttributes, captureStackTrace: false },
    (span) =>
      Effect.onExit(run(traceparent(span)), (exit) => {
        const { error, status } = statusOf(exit)
        if (status !== undefined) span.attribute(attributes.statusCode, status)
        if (error !== undefined) span.attribute(attributes.errorType, errorType(error))
        return Effect.void
      })
  )
}

// ---------------------------------------------------------------------------
// logs
// ---------------------------------------------------------------------------

/** Whether the fiber logs at Debug level (so log lines are built only then). @internal */
export const debugEnabled = (fiber: Fiber.RuntimeFiber<any, any>): boolean =>
  LogLevel.lessThanEqual(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)

/**
 * Debug log lines around an attempt, annotated with `method`, the redacted `url`, `attempt` and the request's
 * `tag` when it has one.
 * @internal
 */
export const logged = <A extends { readonly status: number }, R>(
  self: Effect.Effect<A, HttpResilientError, R>,
  method: string,
  url: URL,
  attempt: number,
  tag: string | undefined,
  secrets: Secrets
): Effect.Effect<A, HttpResilientError, R> =>
  Effect.annotateLogs(
    Effect.zipRight(
      Effect.logDebug("http attempt started"),
      Effect.tapBoth(self, {
        onSuccess: (response) => Effect.logDebug(`http attempt succeeded: ${response.status}`),
        onFailure: (error) => Effect.logDebug(`http attempt failed: ${error.message}`)
      })
    ),
    tag === undefined
      ? { method, url: redactUrl(url, secrets), attempt }
      : { method, url: redactUrl(url, secrets), attempt, tag }
  )

// ---------------------------------------------------------------------------
// one attempt
// ---------------------------------------------------------------------------

/**
 * Wraps one attempt with what is consumed: a span (with `traceparent` added to the headers `run` sends) when
 * spans are on, debug log lines when the fiber logs at Debug, and always the duration histogram. `about` gives the
 * request's `tag` and the client's rule for secret names.
 * @internal
 */
export const instrument = <A extends { readonly status: number }>(
  fiber: Fiber.RuntimeFiber<any, any>,
  tracing: boolean | undefined,
  request: {
    readonly method: string
    readonly url: URL
    readonly headers: Record<string, string>
  },
  about: {
    readonly tag: string | undefined
    readonly secrets: Secrets
  },
  attempt: number,
  clock: Clock.Clock,
  startMillis: number,
  run: (headers: Record<string, string>) => Effect.Effect<A, HttpResilientError>
): Effect.Effect<A, HttpResilientError> => {
  const { headers, method, url } = request
  const { secrets, tag } = about
  let effect = spansEnabled(tracing, fiber)
    ? traced(method, url, attempt, tag, secrets, (parent) => run({ ...headers, traceparent: parent }))
    : run(headers)
  if (debugEnabled(fiber)) effect = logged(effect, method, url, attempt, tag, secrets)
  const origin = url.origin
  return measured(effect, { prepared: { method, url }, origin: () => origin, clock, began: startMillis })
}
