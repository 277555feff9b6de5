/**
 * What both editions' drivers translate, written once: the plain specs (driver.ts) into an edition's public options,
 * and its errors and events back into plain data. Effect-free: what differs between the editions comes in as
 * arguments — the constructors of its public `Backoff`, `RetryPolicy` and `CircuitBreaker` (durations go in as plain
 * milliseconds, which both editions' options accept), and how to read its `Duration`, `Option` and `Cause`.
 */
import { inspect } from "node:util"
import type {
  BackoffSpec,
  BodySpec,
  ClientSpec,
  DriverRequest,
  EventSummary,
  Failure,
  RetrySpec,
  StreamRequest
} from "./driver.js"

/** The `RetryPolicy.make` options a {@link RetrySpec} becomes, over the edition's schedule `S`. */
export interface PolicyOptions<S> {
  readonly retries?: number | undefined
  readonly backoff?: S | undefined
  readonly statuses?: ReadonlyArray<number> | undefined
  readonly methods?: ReadonlyArray<string> | undefined
  readonly respectRetryAfter?: boolean | undefined
  readonly maxRetryAfter?: number | undefined
  readonly onRetryAfterTooLong?: "fail" | "clamp" | undefined
}

/**
 * The constructors of an edition's public API the translation calls: `S` its backoff schedule, `P` its retry policy,
 * `C` and `R` its consecutive and ratio breaker strategies, `B` its body stream.
 */
export interface EditionApi<S, P, C, R, B = unknown> {
  readonly Backoff: {
    readonly constant: (delay: number) => S
    readonly exponential: (
      options: { readonly base: number; readonly factor?: number | undefined; readonly max?: number | undefined }
    ) => S
    readonly fullJitter: (schedule: NoInfer<S>) => NoInfer<S>
    readonly fromDelays: (...delays: readonly [number, ...Array<number>]) => S
  }
  readonly RetryPolicy: { readonly make: (options: PolicyOptions<NoInfer<S>>) => P }
  readonly CircuitBreaker: {
    readonly consecutive: (threshold: number) => C
    readonly ratio: (
      options: {
        readonly threshold?: number | undefined
        readonly minThroughput?: number | undefined
        readonly window?: number | undefined
      }
    ) => R
  }
  /** a one-shot body stream of the edition's `Stream`, one chunk per element of `chunks` */
  readonly bodyStream: (chunks: ReadonlyArray<Uint8Array>) => B
}

/** The translation of the specs into an edition's options: each driver annotates the results with its own types. */
export const translation = <S, P, C, R, B>(
  { Backoff, bodyStream, CircuitBreaker, RetryPolicy }: EditionApi<S, P, C, R, B>
) => {
  const backoffOf = (spec: BackoffSpec): S => {
    switch (spec.kind) {
      case "constant":
        return Backoff.constant(spec.delayMs)
      case "exponential": {
        const schedule = Backoff.exponential({ base: spec.baseMs, factor: spec.factor, max: spec.maxMs })
        return spec.jitter === "full" ? Backoff.fullJitter(schedule) : schedule
      }
      case "fromDelays": {
        const [first, ...rest] = spec.delaysMs
        return Backoff.fromDelays(first, ...rest)
      }
    }
  }

  const retryOf = (spec: RetrySpec | false | undefined): P | false | undefined =>
    spec === undefined || spec === false ? spec : RetryPolicy.make({
      retries: spec.retries,
      backoff: spec.backoff === undefined ? undefined : backoffOf(spec.backoff),
      statuses: spec.statuses,
      methods: spec.methods,
      respectRetryAfter: spec.respectRetryAfter,
      maxRetryAfter: spec.maxRetryAfterMs,
      onRetryAfterTooLong: spec.onRetryAfterTooLong
    })

  const clientOptions = (spec: ClientSpec) => {
    const { bulkhead, circuitBreaker: breaker, retryBudget: budget } = spec
    return {
      baseUrl: spec.baseUrl,
      headers: spec.headers,
      urlParams: spec.urlParams,
      timeout: spec.timeoutMs,
      deadline: spec.deadlineMs,
      maxConnections: spec.maxConnections,
      acceptStatus: spec.acceptStatus,
      maxResponseSize: spec.maxResponseSize,
      followRedirects: spec.followRedirects,
      redactHeaders: spec.redactHeaders,
      redactQueryParams: spec.redactQueryParams,
      allowInsecureRedirects: spec.allowInsecureRedirects,
      retry: retryOf(spec.retry),
      circuitBreaker: breaker === undefined || breaker === false ? breaker : {
        strategy: breaker.strategy.kind === "consecutive"
          ? CircuitBreaker.consecutive(breaker.strategy.threshold)
          : CircuitBreaker.ratio({
            threshold: breaker.strategy.threshold,
            minThroughput: breaker.strategy.minThroughput,
            window: breaker.strategy.windowMs
          }),
        breakDuration: breaker.breakDurationMs,
        backoffFactor: breaker.backoffFactor,
        maxBreakDuration: breaker.maxBreakDurationMs,
        probes: breaker.probes
      },
      retryBudget: budget === undefined || budget === false ? budget : {
        ratio: budget.ratio,
        window: budget.windowMs,
        minRetriesPerSecond: budget.minRetriesPerSecond,
        adaptive: budget.adaptive
      },
      bulkhead: bulkhead === undefined || bulkhead === false ? bulkhead : {
        maxConcurrent: bulkhead.maxConcurrent,
        maxQueue: bulkhead.maxQueue,
        queueTimeout: bulkhead.queueTimeoutMs
      },
      tls: spec.tls,
      proxy: spec.proxy as any,
      cookies: spec.cookies as any
    }
  }

  const requestOptions = (req: DriverRequest) => ({
    headers: req.headers,
    urlParams: req.urlParams,
    timeout: req.timeoutMs,
    deadline: req.deadlineMs,
    idempotencyKey: req.idempotencyKey,
    retry: retryOf(req.retry),
    tag: req.tag,
    ...(req.onProgress === undefined ? {} : { onProgress: req.onProgress }),
    ...bodyOptions(req.body)
  })

  /** A body spec as body options: the same names, a stream's chunks made the edition's `Stream`. */
  const bodyOptions = (body: BodySpec | undefined) =>
    body === undefined
      ? {}
      : "stream" in body
      ? { stream: bodyStream(body.stream), contentLength: body.contentLength }
      : body

  /** The options of a streaming verb: `stream`, `lines` and `ndjson` take `method` and `resume`, `sse` `lastEventId`. */
  const streamOptions = (req: StreamRequest) =>
    req.verb === "sse"
      ? { headers: req.headers, deadline: req.deadlineMs, retry: retryOf(req.retry), lastEventId: req.lastEventId }
      : {
        headers: req.headers,
        deadline: req.deadlineMs,
        retry: retryOf(req.retry),
        ...(req.method === undefined ? {} : { method: req.method }),
        ...(req.resume === undefined ? {} : { resume: req.resume }),
        ...(req.onProgress === undefined ? {} : { onProgress: req.onProgress }),
        ...bodyOptions(req.body)
      }

  return { clientOptions, requestOptions, streamOptions }
}

/** The modules of an edition the summaries read its values with: `D` its `Duration`, `O` its `Option`, `C` its `Cause`. */
export interface EditionReader<D, O, C> {
  readonly Duration: { readonly isDuration: (u: unknown) => u is D; readonly toMillis: (duration: D) => number }
  readonly Option: { readonly isOption: (u: unknown) => u is O; readonly getOrUndefined: (option: O) => unknown }
  readonly Cause: { readonly fail: (error: unknown) => C; readonly pretty: (cause: NoInfer<C>) => string }
}

const field = (o: object, key: string): unknown => key in o ? (o as Record<string, unknown>)[key] : undefined
const str = (u: unknown): string | undefined => typeof u === "string" ? u : undefined
const num = (u: unknown): number | undefined => typeof u === "number" ? u : undefined
const defined = (entries: Array<[string, unknown]>) => Object.fromEntries(entries.filter(([, v]) => v !== undefined))

/** How an edition's errors and events read as plain data. */
export const summaries = <D, O, C>({ Cause, Duration, Option }: EditionReader<D, O, C>) => {
  const millis = (u: unknown): number | undefined => Duration.isDuration(u) ? Duration.toMillis(u) : undefined
  const optionValue = (u: unknown): unknown => Option.isOption(u) ? Option.getOrUndefined(u) : u
  /** An `HttpResilientError` as plain data; `cause` is the call's whole failure, for its pretty form. */
  const failure = (error: { readonly _tag: string; readonly message: string }, cause: C): Failure => {
    const limit = field(error, "limit")
    const lastError = field(error, "lastError")
    const headers = field(error, "headers")
    const scope = field(error, "scope")
    return {
      ok: false,
      tag: error._tag,
      message: error.message,
      ...defined([
        ["method", str(field(error, "method"))],
        ["url", str(field(error, "url"))],
        ["attempt", num(field(error, "attempt"))],
        ["status", num(field(error, "status"))],
        ["headers", headers !== null && typeof headers === "object" ? { ...headers } : undefined],
        ["retryAfterMs", millis(optionValue(field(error, "retryAfter")))],
        ["reason", str(field(error, "reason"))],
        ["scope", scope === "attempt" || scope === "deadline" ? scope : undefined],
        ["timeoutMs", millis(field(error, "timeout"))],
        ["origin", str(field(error, "origin"))],
        ["state", str(field(error, "state"))],
        ["limit", num(limit)],
        ["queued", num(field(error, "queued"))],
        ["limitMs", millis(limit)],
        [
          "lastError",
          lastError !== null && typeof lastError === "object" && "_tag" in lastError
            ? failure(lastError as typeof error, Cause.fail(lastError))
            : undefined
        ]
      ]),
      renderings: [
        error.message,
        String(error),
        JSON.stringify(error),
        inspect(error, { depth: 10 }),
        Cause.pretty(cause)
      ]
    }
  }

  /** A published event as plain data. */
  const event = (event: { readonly _tag: string }): EventSummary => {
    const error = field(event, "error")
    return {
      tag: event._tag,
      ...defined([
        ["method", str(field(event, "method"))],
        ["url", str(field(event, "url"))],
        ["attempt", num(field(event, "attempt"))],
        ["delayMs", millis(field(event, "delay"))],
        ["reason", str(field(event, "reason"))],
        ["status", num(field(event, "status"))],
        ["errorTag", error !== null && typeof error === "object" ? str(field(error, "_tag")) : undefined],
        ["origin", str(field(event, "origin"))],
        ["from", str(field(event, "from"))],
        ["to", str(field(event, "to"))]
      ]),
      rendering: `${JSON.stringify(event)}\n${inspect(event, { depth: 10 })}`
    }
  }

  return { failure, event }
}
