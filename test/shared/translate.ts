/**
 * What both editions' drivers translate, written once: the plain specs (driver.ts) into an edition's public options,
 * and its errors and events back into plain data. Effect-free: what differs between the editions comes in as
 * arguments — the constructors of its public `Backoff`, `RetryPolicy` and `CircuitBreaker` (durations go in as plain
 * milliseconds, which both editions' options accept), and how to read its `Duration`, `Option` and `Cause`.
 */
import { inspect } from "node:util"
import type { Health } from "../../src/core/health.js"
import type {
  AttemptSpec,
  BackoffSpec,
  BodySpec,
  ChaosSpec,
  CircuitBreakerSpec,
  CircuitState,
  ClientSpec,
  DriverClient,
  DriverRequest,
  EventSummary,
  Failure,
  InterceptorSpec,
  RateLimiterSpec,
  RetrySpec,
  RouteSpec,
  StreamRequest,
  Success
} from "./driver.js"

/**
 * The `HttpResilientTest.chaos` options a {@link ChaosSpec} becomes (durations as milliseconds, which both editions'
 * options accept).
 */
const chaosOptions = (spec: ChaosSpec) => ({
  seed: spec.seed,
  latency: spec.latency && { rate: spec.latency.rate, delay: spec.latency.delayMs },
  status: spec.status,
  fault: spec.fault
})

/** How an edition builds the client layer `L` of a spec from the client options `O` the spec became. */
export interface EditionLayers<L, O> {
  /** `ResilientClient.layer(options)` */
  readonly plain: (options: O) => L
  /** `ResilientClient.layerFromHttpClient(options)` over the edition's `FetchHttpClient.layer` */
  readonly overFetch: (options: O) => L
  /** `ResilientClient.layerWithTransport(options)` over `HttpResilientTest.chaos(chaos)` over `Transport.layerUndici()` */
  readonly overChaos: (options: O, chaos: ReturnType<typeof chaosOptions>) => L
}

/**
 * The client layer a spec asks for: over the edition's fetch `HttpClient` (`overHttpClient`), over fault injection on
 * the default undici transport (`chaos`: the pool options do not reach it), else the default client.
 */
export const clientLayer = <L, O>(spec: ClientSpec, options: O, layers: EditionLayers<L, O>): L =>
  spec.overHttpClient === true
    ? layers.overFetch(options)
    : spec.chaos === undefined
    ? layers.plain(options)
    : layers.overChaos(options, chaosOptions(spec.chaos))

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
 * `C` and `R` its consecutive and ratio breaker strategies, `B` its body stream, `H` and `HS` its `HttpBody`s in memory and streamed.
 */
export interface EditionApi<S, P, C, R, B = unknown, Q = unknown, H = unknown, HS = unknown> {
  /** its `HttpClientRequest`, for what an interceptor does to a request */
  readonly HttpClientRequest: { readonly appendUrlParam: (self: Q, key: string, value: string) => Q }
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
  /** its `HttpBody`, for the `body` option */
  readonly HttpBody: {
    readonly text: (body: string, contentType?: string) => H
    readonly stream: (body: NoInfer<B>, contentType?: string, contentLength?: number) => HS
  }
}

/** The `rateLimiter` option (the same shape in both editions: durations as milliseconds, `key` a string or function). */
const rateLimiterOf = (spec: RateLimiterSpec | undefined) => {
  if (spec === undefined) return undefined
  const { key } = spec
  return {
    limit: spec.limit,
    window: spec.windowMs,
    algorithm: spec.algorithm,
    adaptive: spec.adaptive,
    key: key === undefined || typeof key === "string"
      ? key
      : (request: { readonly url: URL }) => request.url.searchParams.get(key.queryParam) ?? ""
  }
}

/** The translation of the specs into an edition's options: each driver annotates the results with its own types. */
export const translation = <S, P, C, R, B, Q, H, HS>(
  { Backoff, bodyStream, CircuitBreaker, HttpBody, HttpClientRequest, RetryPolicy }: EditionApi<S, P, C, R, B, Q, H, HS>
) => {
  const interceptorOf = ({ name, onRequest, onResponse }: InterceptorSpec) => ({
    name,
    onRequest: (request: Q, { attempt }: { readonly attempt: number }) =>
      Object.entries(onRequest?.(attempt) ?? {}).reduce(
        (r, [key, value]) => HttpClientRequest.appendUrlParam(r, key, value),
        request
      ),
    onResponse: <A extends { readonly status: number }>(response: A, { attempt }: { readonly attempt: number }) => {
      onResponse?.(attempt, response.status)
      return response
    }
  })

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

  const breakerOf = (breaker: CircuitBreakerSpec) => ({
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
    probes: breaker.probes,
    ...(breaker.key === undefined ? {} : { key: breaker.key })
  })

  /** a route: only the fields its spec sets (a route's field set to `undefined` is still its own) */
  const routeOf = ({ circuitBreaker: breaker, match, retry }: RouteSpec) => ({
    match,
    ...(retry === undefined ? {} : { retry: retryOf(retry) }),
    ...(breaker === undefined ? {} : {
      circuitBreaker: breaker === false ? false as const : breakerOf(breaker)
    })
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
      circuitBreaker: breaker === undefined || breaker === false ? breaker : breakerOf(breaker),
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
      rateLimiter: rateLimiterOf(spec.rateLimiter),
      interceptors: spec.interceptors?.map(interceptorOf),
      tls: spec.tls,
      proxy: spec.proxy as any,
      cookies: spec.cookies as any,
      routes: spec.routes?.map(routeOf)
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
    ...attemptsOf(req.attempts),
    ...bodyOptions(req.body)
  })

  /** A body spec as body options: the same names, a stream's chunks made the edition's `Stream`. */
  const bodyOptions = (body: BodySpec | undefined) =>
    body === undefined
      ? {}
      : "stream" in body
      ? { stream: bodyStream(body.stream), contentLength: body.contentLength }
      : "body" in body
      ? {
        body: "text" in body.body
          ? HttpBody.text(body.body.text, body.body.contentType)
          : HttpBody.stream(bodyStream(body.body.stream), body.body.contentType, body.body.contentLength)
      }
      : body

  /** The `attempts` option: each entry's options, none set to `undefined` (that would replace the call's). */
  const attemptsOf = (attempts: ReadonlyArray<AttemptSpec> | undefined) =>
    attempts === undefined ? {} : {
      attempts: attempts.map((spec) =>
        Object.fromEntries(
          Object.entries({
            headers: spec.headers,
            urlParams: spec.urlParams,
            timeout: spec.timeoutMs,
            ...bodyOptions(spec.body),
            ...spec.raw
          }).filter(([, value]) => value !== undefined)
        )
      )
    }

  /** The options of a streaming verb: `stream`, `lines` and `ndjson` take `method` and `resume`, `sse` `lastEventId`. */
  const streamOptions = (req: StreamRequest) =>
    req.verb === "sse"
      ? {
        headers: req.headers,
        deadline: req.deadlineMs,
        retry: retryOf(req.retry),
        lastEventId: req.lastEventId,
        ...attemptsOf(req.attempts)
      }
      : {
        headers: req.headers,
        deadline: req.deadlineMs,
        retry: retryOf(req.retry),
        ...(req.method === undefined ? {} : { method: req.method }),
        ...(req.resume === undefined ? {} : { resume: req.resume }),
        ...(req.onProgress === undefined ? {} : { onProgress: req.onProgress }),
        ...attemptsOf(req.attempts),
        ...bodyOptions(req.body)
      }

  /**
   * The verb of a streaming call over an edition's stream `S`: its `HttpResilient` verbs (`ndjson` with a schema that
   * takes anything) and `Stream.take`.
   */
  const streamOf = <S>(verbs: StreamVerbs<S, ReturnType<typeof streamOptions>>) => (req: StreamRequest): S => {
    const verb = verbs[req.verb](req.url, streamOptions(req))
    return req.take === undefined ? verb : verbs.take(verb, req.take)
  }

  return { clientOptions, requestOptions, streamOf }
}

/** An edition's streaming verbs, each giving its stream `S` of items, and its `Stream.take`. */
export type StreamVerbs<S, O> =
  & { readonly [K in StreamRequest["verb"]]: (url: string, options: O) => S }
  & { readonly take: (self: S, n: number) => S }

/** The modules of an edition the summaries read its values with: `D` its `Duration`, `O` its `Option`, `C` its `Cause`. */
export interface EditionReader<D, O, C> {
  readonly Duration: { readonly isDuration: (u: unknown) => u is D; readonly toMillis: (duration: D) => number }
  readonly Option: { readonly isOption: (u: unknown) => u is O; readonly getOrUndefined: (option: O) => unknown }
  readonly Cause: {
    readonly fail: (error: unknown) => C
    readonly pretty: (cause: NoInfer<C>) => string
    readonly squash: (cause: NoInfer<C>) => unknown
    /** its first typed error (v3 `Cause.failureOption`, v4 `Cause.findErrorOption`) */
    readonly failureOption: (cause: NoInfer<C>) => NoInfer<O>
  }
}

/** An edition's `Exit`, as the summaries read it. */
export type ExitOf<A, C> = { readonly _tag: "Success"; readonly value: A } | {
  readonly _tag: "Failure"
  readonly cause: C
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
        ["waitForMs", millis(field(error, "waitFor"))],
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

  /** How a call failed as plain data, `undefined` when it succeeded; a defect or an interruption is thrown. */
  const failureOf = (exit: ExitOf<unknown, C>): Failure | undefined => {
    if (exit._tag === "Success") return undefined
    const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
    if (error === undefined) throw Cause.squash(exit.cause)
    return failure(error as { readonly _tag: string; readonly message: string }, exit.cause)
  }

  /** What a call that is not expected to fail returned; a failure is thrown. */
  const valueOf = <A>(exit: ExitOf<A, C>): A => {
    if (exit._tag === "Success") return exit.value
    throw Cause.squash(exit.cause)
  }

  /**
   * Runs `body` with a {@link DriverClient} over an edition's calls; the calls still running when it ends are
   * interrupted (their signal aborts), as a scoped program's would be.
   */
  const drive = async (calls: EditionCalls<C>, body: (client: DriverClient) => Promise<void>): Promise<void> => {
    const { ResilientClient, run } = calls
    const ended = new AbortController()
    const seen: Array<EventSummary> = []
    const client: DriverClient = {
      request: async (req) => {
        const signal = req.signal === undefined ? ended.signal : AbortSignal.any([req.signal, ended.signal])
        const exit = await calls.request(req, signal)
        return exit._tag === "Success" ? exit.value : failureOf(exit)!
      },
      circuitState: async (origin) => valueOf(await run(ResilientClient.circuitState(origin))) as CircuitState,
      events: async () => {
        for (const one of valueOf(await calls.takeEvents())) seen.push(event(one))
        return [...seen]
      },
      stream: async (req) => {
        const items: Array<unknown> = []
        const error = failureOf(await calls.stream(req, (item) => items.push(item), ended.signal))
        return error === undefined ? { items } : { items, error }
      },
      warmUp: async (origin, connections) => failureOf(await run(ResilientClient.warmUp(origin, connections))),
      health: async () => valueOf(await run(ResilientClient.health)) as Health,
      healthy: async (origin) => {
        const exit = await run(origin === undefined ? ResilientClient.healthy() : ResilientClient.healthy(origin))
        return exit._tag === "Success" ? exit.value as boolean : failureOf(exit)!
      }
    }
    try {
      await body(client)
    } finally {
      ended.abort()
    }
  }

  /** The end of a driver's `withClient`: nothing when it succeeded, else its typed error (or its defect) thrown. */
  const settle = (exit: ExitOf<unknown, C>): void => {
    if (exit._tag === "Success") return
    const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
    throw error === undefined ? Cause.squash(exit.cause) : error
  }

  return { failure, event, drive, settle }
}

/** What an edition runs for a {@link DriverClient}, each call to its exit (`C` the edition's `Cause`). */
export interface EditionCalls<C> {
  /** its `ResilientClient` module: the calls on the client itself, as Effects `run` runs */
  readonly ResilientClient: {
    readonly circuitState: (origin: string) => unknown
    readonly warmUp: (origin: string, connections: number) => unknown
    readonly health: unknown
    readonly healthy: { (): unknown; (origin: string): unknown }
  }
  /** runs one of its Effects on the client */
  readonly run: (effect: unknown) => Promise<ExitOf<unknown, C>>
  /** one call, its body read as text ({@link success}) */
  readonly request: (req: DriverRequest, signal: AbortSignal) => Promise<ExitOf<Success, C>>
  /** the events published since the last take */
  readonly takeEvents: () => Promise<ExitOf<Iterable<{ readonly _tag: string }>, C>>
  /** a streaming call ({@link translation}'s `streamOf`), `onItem` called per item */
  readonly stream: (
    req: StreamRequest,
    onItem: (item: unknown) => void,
    signal: AbortSignal
  ) => Promise<ExitOf<unknown, C>>
}

/** A call that succeeded, from the edition's response and its body read as text. */
export const success = (
  response: { readonly status: number; readonly headers: Readonly<Record<string, string>> },
  body: string
): Success => ({ ok: true, status: response.status, headers: { ...response.headers }, body })

/** {@link translation} and {@link summaries} of one edition, from its modules. */
export const edition = <S, P, C, R, B, Q, H, HS, D, O, K>(
  modules: EditionApi<S, P, C, R, B, Q, H, HS> & EditionReader<D, O, K>
) => ({
  ...translation(modules),
  ...summaries(modules)
})
