/**
 * The v3 entry's driver for the shared behavioural suite (test/shared/): the plain specs become the public v3
 * options, each request runs as one Effect on the client's runtime, and how it ended becomes plain data.
 * Built only on the public API (src/index.ts).
 */
import { Cause, Duration, Effect, Exit, Layer, Option, Queue, Runtime, type Schedule } from "effect"
import { inspect } from "node:util"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  type HttpResilientError,
  ResilientClient,
  type ResilientEvent,
  RetryPolicy
} from "../../src/index.js"
import type {
  BackoffSpec,
  ClientSpec,
  Driver,
  DriverClient,
  DriverRequest,
  EventSummary,
  Failure,
  Outcome,
  RetrySpec
} from "../shared/driver.js"
import { DriverConfigError } from "../shared/driver.js"

type Policy = Schedule.Schedule<unknown, HttpResilientError.HttpResilientError, never>

const backoffOf = (spec: BackoffSpec): Schedule.Schedule<Duration.Duration> => {
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

const policyOf = (spec: RetrySpec): Policy =>
  RetryPolicy.make({
    retries: spec.retries,
    backoff: spec.backoff === undefined ? undefined : backoffOf(spec.backoff),
    statuses: spec.statuses,
    methods: spec.methods,
    respectRetryAfter: spec.respectRetryAfter,
    maxRetryAfter: spec.maxRetryAfterMs,
    onRetryAfterTooLong: spec.onRetryAfterTooLong
  })

const retryOf = (spec: RetrySpec | false | undefined): Policy | false | undefined =>
  spec === undefined || spec === false ? spec : policyOf(spec)

const optionsOf = (spec: ClientSpec): ResilientClient.ClientOptions => ({
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
  circuitBreaker: spec.circuitBreaker === undefined || spec.circuitBreaker === false
    ? spec.circuitBreaker
    : {
      strategy: spec.circuitBreaker.strategy.kind === "consecutive"
        ? CircuitBreaker.consecutive(spec.circuitBreaker.strategy.threshold)
        : CircuitBreaker.ratio({
          threshold: spec.circuitBreaker.strategy.threshold,
          minThroughput: spec.circuitBreaker.strategy.minThroughput,
          window: spec.circuitBreaker.strategy.windowMs
        }),
      breakDuration: spec.circuitBreaker.breakDurationMs,
      backoffFactor: spec.circuitBreaker.backoffFactor,
      maxBreakDuration: spec.circuitBreaker.maxBreakDurationMs,
      probes: spec.circuitBreaker.probes
    },
  retryBudget: spec.retryBudget === undefined || spec.retryBudget === false
    ? spec.retryBudget
    : {
      ratio: spec.retryBudget.ratio,
      window: spec.retryBudget.windowMs,
      minRetriesPerSecond: spec.retryBudget.minRetriesPerSecond,
      adaptive: spec.retryBudget.adaptive
    },
  bulkhead: spec.bulkhead === undefined || spec.bulkhead === false
    ? spec.bulkhead
    : {
      maxConcurrent: spec.bulkhead.maxConcurrent,
      maxQueue: spec.bulkhead.maxQueue,
      queueTimeout: spec.bulkhead.queueTimeoutMs
    },
  tls: spec.tls
})

const requestOptionsOf = (req: DriverRequest): HttpResilient.RequestOptions => ({
  headers: req.headers,
  urlParams: req.urlParams,
  timeout: req.timeoutMs,
  deadline: req.deadlineMs,
  idempotencyKey: req.idempotencyKey,
  retry: retryOf(req.retry),
  tag: req.tag,
  ...(req.body === undefined ? {} : "text" in req.body ? { text: req.body.text } : { json: req.body.json })
})

const millis = (u: unknown): number | undefined => Duration.isDuration(u) ? Duration.toMillis(u) : undefined

const field = <K extends string>(error: object, key: K): unknown =>
  key in error ? (error as Record<K, unknown>)[key] : undefined

const str = (u: unknown): string | undefined => typeof u === "string" ? u : undefined
const num = (u: unknown): number | undefined => typeof u === "number" ? u : undefined

/** An `HttpResilientError` as plain data; `cause` is the call's whole failure, for its pretty form. */
const failureOf = (error: HttpResilientError.HttpResilientError, cause: Cause.Cause<unknown>): Failure => {
  const retryAfter = field(error, "retryAfter")
  const limit = field(error, "limit")
  const lastError = field(error, "lastError")
  const headers = field(error, "headers")
  const scope = field(error, "scope")
  const entries: Array<[string, unknown]> = [
    ["method", str(field(error, "method"))],
    ["url", str(field(error, "url"))],
    ["attempt", num(field(error, "attempt"))],
    ["status", num(field(error, "status"))],
    [
      "headers",
      headers !== null && typeof headers === "object" ? Object.fromEntries(Object.entries(headers)) : undefined
    ],
    [
      "retryAfterMs",
      Option.isOption(retryAfter)
        ? millis(Option.getOrUndefined(retryAfter))
        : millis(retryAfter)
    ],
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
        ? failureOf(lastError as HttpResilientError.HttpResilientError, Cause.fail(lastError))
        : undefined
    ]
  ]
  return {
    ok: false,
    tag: error._tag,
    message: error.message,
    ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)),
    renderings: [
      error.message,
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      Cause.pretty(cause)
    ]
  }
}

const outcomeOf = (exit: Exit.Exit<{ status: number; headers: Record<string, string>; body: string }, unknown>) => {
  if (Exit.isSuccess(exit)) return { ok: true as const, ...exit.value }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) return failureOf(failure.value as HttpResilientError.HttpResilientError, exit.cause)
  throw Cause.squash(exit.cause)
}

const eventOf = (event: ResilientEvent.ResilientEvent): EventSummary => {
  const error = field(event, "error")
  const entries: Array<[string, unknown]> = [
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
  ]
  return {
    tag: event._tag,
    ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)),
    rendering: `${JSON.stringify(event)}\n${inspect(event, { depth: 10 })}`
  }
}

/** The v3 entry's driver. */
export const v3Driver: Driver = {
  edition: "v3",
  withClient: async (spec, body) => {
    const program = Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(ResilientClient.layer(optionsOf(spec))).pipe(
        Effect.mapError((error) => new DriverConfigError(String(error)))
      )
      const runtime = yield* Effect.provide(Effect.runtime<ResilientClient.ResilientClient>(), context)
      const dequeue = yield* Effect.provide(ResilientClient.subscribe, context)
      const seen: Array<EventSummary> = []
      const run = Runtime.runPromiseExit(runtime)
      // the calls still running when the body ends are interrupted, as a scoped program's would be
      const ended = new AbortController()
      const client: DriverClient = {
        request: async (req): Promise<Outcome> => {
          const call = HttpResilient.request(req.method, req.url, requestOptionsOf(req)).pipe(
            Effect.flatMap((response) =>
              Effect.map(HttpResilient.text(response), (text) => ({
                status: response.status,
                headers: { ...response.headers },
                body: text
              }))
            )
          )
          const signal = req.signal === undefined ? ended.signal : AbortSignal.any([req.signal, ended.signal])
          return outcomeOf(await run(call, { signal }))
        },
        circuitState: async (origin) => {
          const exit = await run(ResilientClient.circuitState(origin))
          if (Exit.isSuccess(exit)) return exit.value
          throw Cause.squash(exit.cause)
        },
        events: async () => {
          const exit = await run(Queue.takeAll(dequeue))
          if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
          for (const event of exit.value) seen.push(eventOf(event))
          return [...seen]
        }
      }
      yield* Effect.tryPromise({ try: () => body(client), catch: (error) => error }).pipe(
        Effect.ensuring(Effect.sync(() => ended.abort()))
      )
    }))
    const exit = await Effect.runPromiseExit(program)
    if (Exit.isSuccess(exit)) return
    const failure = Cause.failureOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  }
}
