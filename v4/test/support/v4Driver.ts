/**
 * The v4 edition's driver for the shared behavioural suite (test/shared/ at the repository root): the plain specs
 * become the v4 public options, each request runs as one v4 Effect in the client's context, and how it ended becomes
 * plain data. Built only on the edition's public API (v4/src/index.ts).
 */
import { Cause, Duration, Effect, Exit, Layer, Option, PubSub, type Schedule } from "effect"
import { inspect } from "node:util"
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
} from "../../../test/shared/driver.js"
import { DriverConfigError } from "../../../test/shared/driver.js"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  type HttpResilientError,
  ResilientClient,
  type ResilientEvent,
  RetryPolicy
} from "../../src/index.js"

type Policy = Schedule.Schedule<unknown, HttpResilientError.HttpResilientError, HttpResilientError.HttpResilientError>

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

const optionsOf = (spec: ClientSpec): ResilientClient.ClientOptions => {
  const breaker = spec.circuitBreaker
  const budget = spec.retryBudget
  return {
    baseUrl: spec.baseUrl,
    headers: spec.headers,
    urlParams: spec.urlParams,
    followRedirects: spec.followRedirects,
    allowInsecureRedirects: spec.allowInsecureRedirects,
    tls: spec.tls,
    timeout: spec.timeoutMs,
    deadline: spec.deadlineMs,
    maxConnections: spec.maxConnections,
    acceptStatus: spec.acceptStatus,
    maxResponseSize: spec.maxResponseSize,
    redactHeaders: spec.redactHeaders,
    redactQueryParams: spec.redactQueryParams,
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
    bulkhead: spec.bulkhead === undefined || spec.bulkhead === false ? spec.bulkhead : {
      maxConcurrent: spec.bulkhead.maxConcurrent,
      maxQueue: spec.bulkhead.maxQueue,
      queueTimeout: spec.bulkhead.queueTimeoutMs
    },
    retryBudget: budget === undefined || budget === false ? budget : {
      ratio: budget.ratio,
      window: budget.windowMs,
      minRetriesPerSecond: budget.minRetriesPerSecond,
      adaptive: budget.adaptive
    }
  }
}

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
const field = (o: object, key: string): unknown => key in o ? (o as Record<string, unknown>)[key] : undefined
const str = (u: unknown): string | undefined => typeof u === "string" ? u : undefined
const num = (u: unknown): number | undefined => typeof u === "number" ? u : undefined
const defined = (entries: Array<[string, unknown]>) => Object.fromEntries(entries.filter(([, v]) => v !== undefined))

/** An `HttpResilientError` as plain data; `cause` is the call's whole failure, for its pretty form. */
const failureOf = (error: HttpResilientError.HttpResilientError, cause: Cause.Cause<unknown>): Failure => {
  const retryAfter = field(error, "retryAfter")
  const limit = field(error, "limit")
  const lastError = field(error, "lastError")
  const headers = field(error, "headers")
  const scope = field(error, "scope")
  return {
    ok: false,
    tag: error._tag,
    message: error.message,
    ...defined([
      ["method", str(error.method)],
      ["url", str(error.url)],
      ["attempt", num(error.attempt)],
      ["status", num(field(error, "status"))],
      ["headers", headers !== null && typeof headers === "object" ? { ...headers } : undefined],
      ["retryAfterMs", Option.isOption(retryAfter) ? millis(Option.getOrUndefined(retryAfter)) : millis(retryAfter)],
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
    ]),
    renderings: [
      error.message,
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      Cause.pretty(cause)
    ]
  } as Failure
}

type Read = { status: number; headers: Record<string, string>; body: string }

const outcomeOf = (exit: Exit.Exit<Read, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) return { ok: true, ...exit.value }
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure)) return failureOf(failure.value as HttpResilientError.HttpResilientError, exit.cause)
  throw Cause.squash(exit.cause)
}

const eventOf = (event: ResilientEvent.ResilientEvent): EventSummary => {
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

/** The v4 edition's driver. */
export const v4Driver: Driver = {
  edition: "v4",
  withClient: async (spec, body) => {
    const program = Effect.scoped(Effect.gen(function*() {
      const options = yield* Effect.try({ try: () => optionsOf(spec), catch: (error) => error })
      const context = yield* Layer.build(ResilientClient.layer(options)).pipe(
        Effect.mapError((error) => new DriverConfigError(String(error.message)))
      )
      const subscription = yield* Effect.provide(ResilientClient.subscribe, context)
      const seen: Array<EventSummary> = []
      const run = Effect.runPromiseExitWith(context)
      // the calls still running when the body ends are interrupted, as a scoped program's would be
      const ended = new AbortController()
      const client: DriverClient = {
        request: async (req) => {
          const call = HttpResilient.request(req.method, req.url, requestOptionsOf(req)).pipe(
            Effect.flatMap((response) =>
              Effect.map(response.text, (text): Read => ({
                status: response.status,
                headers: { ...response.headers },
                body: text
              }))
            )
          )
          const signal = req.signal === undefined ? ended.signal : AbortSignal.any([req.signal, ended.signal])
          return outcomeOf(await run(call as Effect.Effect<Read, unknown, ResilientClient.ResilientClient>, { signal }))
        },
        circuitState: async (origin) => {
          const exit = await run(ResilientClient.circuitState(origin))
          if (Exit.isSuccess(exit)) return exit.value
          throw Cause.squash(exit.cause)
        },
        events: async () => {
          const exit = await run(PubSub.takeUpTo(subscription, Number.MAX_SAFE_INTEGER))
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
    const failure = Cause.findErrorOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  }
}
