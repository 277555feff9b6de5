/**
 * The client's state and service: options read once per layer, the breakers, the retry budget, the events, the
 * transport, and the breakers and bulkhead the attempt pipeline (pipeline.ts) runs through. The options are read in
 * clientOptions.ts.
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as PersistedBreaker from "effect/persistence/CircuitBreaker"
import * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type AcceptStatus, toAcceptStatus } from "../../../src/core/acceptStatus.js"
import { BreakerRegistry, type CircuitState, keyOfRequest } from "../../../src/core/circuitBreaker.js"
import { type CookieJar, CookieJarUnavailable, cookiesExpected, newCookieJar } from "../../../src/core/cookies.js"
import { withAcceptEncodingHeader } from "../../../src/core/decompress.js"
import { millisDuration, positiveDuration } from "../../../src/core/durationRules.js"
import type { HealthSource } from "../../../src/core/health.js"
import type { RetryBudgetRegistry } from "../../../src/core/retryBudget.js"
import { routeFinder } from "../../../src/core/routes.js"
import type { Secrets } from "../../../src/core/secrets.js"
import type { UrlParamsInput } from "../../../src/core/url.js"
import { breakerVerdict as defaultVerdict } from "../../../src/core/verdicts.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import { defaults as breakerDefaults, ratio } from "../CircuitBreaker.js"
import type { HttpResilientError, RequestInfo } from "../HttpResilientError.js"
import { InvalidRequestError, TransportError } from "../HttpResilientError.js"
import * as Events from "../ResilientEvent.js"
import * as Telemetry from "../Telemetry.js"
import type { AcceptResponse } from "./acceptResponse.js"
import { circuitOpen, outcomeOf, REJECTED } from "./attempt.js"
import type { Bulkhead, BulkheadOptions } from "./bulkhead.js"
import { bulkheadOf, type ClientOptions, fn, type Hook, read } from "./clientOptions.js"
import { durationRecorder } from "./durationSeries.js"
import * as EventBacklog from "./eventBacklog.js"
import { hedge } from "./hedge.js"
import { runHook } from "./hooks.js"
import type { Interceptor } from "./interceptor.js"
import { BadOption, badOption, millisOf, numberOf } from "./options.js"
import { buffered, run, runStreamed, streamed } from "./pipeline.js"
import { type ClientRateLimiter, make as makeRateLimiter } from "./rateLimiter.js"
import type { Built } from "./request.js"
import type { ResolvedRoute } from "./routes.js"
import { CurrentDeadline, type ResilientClientService } from "./service.js"
import { type Transport, undici } from "./transport.js"

/** Where the options live; re-exported for the layer. */
export { type ClientOptions, defaults } from "./clientOptions.js"

/**
 * The circuit breaker around the rest of an attempt: an open one fails it with `CircuitOpenError`, else it runs and
 * its outcome is recorded.
 * @internal
 */
export type Guard = (
  origin: string,
  info: RequestInfo,
  exchange: Effect.Effect<any, HttpResilientError>,
  now: number
) => Effect.Effect<any, HttpResilientError>

/** What an attempt reads of its client. */
export interface ClientState {
  readonly secrets: Secrets
  readonly followRedirects: number
  readonly allowInsecureRedirects: boolean
  readonly urlParams: UrlParamsInput | undefined
  readonly baseUrl: URL | undefined
  readonly headers: Record<string, string>
  readonly timeoutMillis: number
  readonly deadlineMillis: number
  readonly maxResponseSize: number
  /** undo gzip / deflate / br bodies (and ask for them, when the transport decodes them) */
  readonly decompress: boolean
  readonly accept: (status: number) => boolean
  readonly acceptResponse: AcceptResponse | undefined
  /** the cookie jar, when the `cookies` option is on (`true`: tough-cookie's, made when the layer is built) */
  readonly cookieJar: CookieJar | undefined
  readonly acceptOf: (accept: AcceptStatus) => (status: number) => boolean
  readonly millisOf: (name: string, input: Duration.Input) => number
  readonly transport: Transport
  /** the retry budgets, one per origin */
  readonly retryBudget: RetryBudgetRegistry | undefined
  /** what an attempt's end says of its origin, as the breakers count it (the default rule when they are off) */
  readonly isFailure: (error: HttpResilientError) => boolean | undefined
  readonly retry: Schedule.Schedule<unknown, HttpResilientError, HttpResilientError> | undefined
  /** the `tracing` option: `undefined` follows the installed tracer (see `stage/telemetry.ts` `spansOn`) */
  readonly tracing: boolean | undefined
  readonly publish: (event: Events.ResilientEvent) => void
  readonly bulkhead: Bulkhead | undefined
  /** the breakers, when on */
  readonly breaker: Guard | undefined
  /** the interceptors, when there are any */
  readonly interceptors: ReadonlyArray<Interceptor> | undefined
  /** the rate limiter, when on */
  readonly rateLimiter: ClientRateLimiter | undefined
  readonly recordDuration: (built: Built, millis: number, status: number | undefined, exit: Exit.Exit<any, any>) => void
}

const hookOf = (options: ClientOptions, event: Events.ResilientEvent): Hook<any> | undefined => {
  switch (event._tag) {
    case "RequestStarted":
      return options.onRequest
    case "RetryScheduled":
      return options.onRetry
    case "Succeeded":
      return options.onSuccess
    case "Failed":
      return options.onFailure
    default:
      return undefined
  }
}

const lower = (state: string): CircuitState => state === "Closed" ? "closed" : state === "Open" ? "open" : "half-open"

/** What keys a request's breaker when not its origin: from its origin and what errors show of it. */
type KeyOf = (origin: string, info: RequestInfo) => string

interface Breaking {
  readonly guard: Guard
  /** a guard over the same breakers keyed by `keyOf` (a route sharing the client's breakers under `key: "route"`) */
  readonly keyed: (keyOf: KeyOf | undefined) => Guard
  readonly circuitState: (origin: string, now: number) => Effect.Effect<CircuitState>
  /** ours, in memory (for health reports); `undefined` for breakers in a store */
  readonly registry?: BreakerRegistry | undefined
}

const noBreaker: Breaking = {
  guard: (_origin, _info, exchange) => exchange,
  keyed: () => noBreaker.guard,
  circuitState: () => Effect.succeed("closed")
}

/** Ours: the shared core's breakers, one per origin, in memory. */
const coreBreaking = (
  options: CircuitBreaker.CircuitBreakerOptions,
  strategy: CircuitBreaker.ConsecutiveStrategy | CircuitBreaker.RatioStrategy,
  maxOrigins: number,
  timeoutMillis: number,
  onTransition: (origin: string, from: CircuitState, to: CircuitState, now: number) => void,
  at = "circuitBreaker",
  keyOf?: KeyOf
): Breaking => {
  const isFailure = options.isFailure ?? defaultVerdict
  const registry = new BreakerRegistry(
    {
      strategy: strategy._tag === "Consecutive"
        ? strategy
        : { ...strategy, windowMillis: Duration.toMillis(strategy.window) },
      breakMillis: millisOf(
        fn,
        `${at}.breakDuration`,
        options.breakDuration ?? breakerDefaults.breakDuration,
        millisDuration
      ),
      backoffFactor: numberOf(fn, `${at}.backoffFactor`, options.backoffFactor ?? 1, {
        min: 1,
        expected: "a number ≥ 1"
      }),
      maxBreakMillis: millisOf(
        fn,
        `${at}.maxBreakDuration`,
        options.maxBreakDuration ?? breakerDefaults.maxBreakDuration,
        millisDuration
      ),
      probes: numberOf(fn, `${at}.probes`, options.probes ?? 1, {
        integer: true,
        min: 1,
        expected: "a positive integer"
      })
    },
    onTransition,
    maxOrigins
  )
  const keyed = (keyOf: KeyOf | undefined): Guard => (origin, info, exchange, now) => {
    const breaker = keyOf === undefined ? registry.get(origin) : registry.get(keyOf(origin, info), origin)
    const due = now + timeoutMillis
    const ticket = breaker.admit(now, due)
    if (ticket === REJECTED) {
      const half = breaker.state === "half-open"
      return Effect.fail(
        circuitOpen(info, origin, breaker.retryAt(now), half, half ? breaker.probesInFlight : undefined)
      )
    }
    return Effect.onExit(
      exchange,
      (exit) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => breaker.record(ticket, outcomeOf(exit, isFailure), clock.currentTimeMillisUnsafe(), due))
        )
    )
  }
  return {
    guard: keyed(keyOf),
    keyed,
    circuitState: (origin, now) => Effect.succeed(registry.stateAt(origin, now)),
    registry
  }
}

/** v4's `effect/persistence` breaker over the store in context (memory when none). */
const persistedBreaking = (
  options: CircuitBreaker.CircuitBreakerOptions,
  strategy: CircuitBreaker.PersistedStrategy,
  publish: (event: Events.ResilientEvent) => void,
  keyOf: KeyOf | undefined
): Effect.Effect<Breaking, never, Scope.Scope> =>
  Effect.gen(function*() {
    const isFailure = options.isFailure ?? defaultVerdict
    const store = yield* Effect.serviceOption(PersistedBreaker.CircuitBreakerStore)
    const makeBreaker = PersistedBreaker.make({
      tripPolicy: strategy.tripPolicy,
      openDuration: strategy.openDuration,
      maxOpenDuration: strategy.maxOpenDuration,
      onStoreError: "allow"
    })
    const breaker = store._tag === "Some"
      ? yield* Effect.provideService(makeBreaker, PersistedBreaker.CircuitBreakerStore, store.value)
      : yield* Effect.provide(makeBreaker, PersistedBreaker.layerStoreMemory())
    yield* Effect.forkScoped(Stream.runForEach(breaker.transitions, (t) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        publish(
          new Events.CircuitStateChanged({ origin: t.key, from: lower(t.from), to: lower(t.to), timestamp: now })
        ))))
    const classify = (exit: Exit.Exit<unknown, unknown>) => {
      const outcome = outcomeOf(exit, isFailure)
      return outcome === "success"
        ? PersistedBreaker.success
        : outcome === "failure"
        ? PersistedBreaker.failure()
        : PersistedBreaker.ignored
    }
    const keyed = (keyOf: KeyOf | undefined): Guard => (origin, info, exchange, now) =>
      breaker.execute(exchange, { key: keyOf === undefined ? origin : keyOf(origin, info), classify }).pipe(
        Effect.catchTag("CircuitBreakerError", (error): Effect.Effect<never, HttpResilientError> => {
          const reason = error.reason
          if (reason._tag === "CircuitOpen") {
            return Effect.fail(
              circuitOpen(info, origin, now + Duration.toMillis(reason.retryAfter), false, undefined)
            )
          }
          if (reason._tag === "CircuitHalfOpen") {
            return Effect.fail(circuitOpen(info, origin, now, true, undefined))
          }
          return Effect.fail(
            new TransportError({ ...info, reason: "Unknown", detail: reason.message, cause: reason })
          )
        })
      )
    const breaking: Breaking = {
      guard: keyed(keyOf),
      keyed,
      circuitState: (origin) =>
        Effect.match(breaker.state(origin), {
          onFailure: () =>
            "closed" as const,
          onSuccess: (s) => lower(s._tag)
        })
    }
    return breaking
  })

/** Counts events a subscription's full backlog dropped. */
const recordEventsDropped = (count: number): void => {
  Telemetry.eventsDropped.updateUnsafe(count, Context.empty())
}

/** A bad option as the layer's `ConfigError`; the thrown error is its cause (`layerConfig` reads it). */
export const configError = (error: unknown) =>
  new Config.ConfigError(
    new ConfigProvider.SourceError({ message: error instanceof Error ? error.message : String(error), cause: error })
  )

/**
 * `cookies: true`: a fresh jar of tough-cookie's (`load`ed now, and only then); a `ConfigError` naming `cookies` and
 * how to install it when it cannot be.
 * @internal
 */
export const loadCookieJar = (load?: () => Promise<unknown>): Effect.Effect<CookieJar, Config.ConfigError> =>
  Effect.tryPromise({
    try: () => newCookieJar(load),
    catch: (cause) => {
      const unavailable = cause instanceof CookieJarUnavailable ? cause : new CookieJarUnavailable(cause)
      return configError(new BadOption(fn, "cookies", true, cookiesExpected, unavailable.reason))
    }
  })

/**
 * Builds a client in the scope; `transport` replaces the undici pool (the test kit's scripted transport).
 * @internal
 */
export const make = (
  options: ClientOptions,
  transport?: Transport
): Effect.Effect<ResilientClientService, Config.ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* Effect.try({
      try: () => read(options),
      catch: configError
    })
    const pubsub = yield* Effect.acquireRelease(EventBacklog.make(recordEventsDropped), PubSub.shutdown)
    const publish = (event: Events.ResilientEvent): void => {
      PubSub.publishUnsafe(pubsub, event)
      const hook = hookOf(options, event)
      if (hook !== undefined) runHook(hook, event)
    }
    const context = Context.empty()
    const onTransition = (origin: string, from: CircuitState, to: CircuitState, now: number) => {
      Metric.withAttributes(Telemetry.circuitTransitions, { from, to }).updateUnsafe(1, context)
      publish(new Events.CircuitStateChanged({ origin, from, to, timestamp: now }))
    }
    const breakerOptions = settings.breaker
    const strategy = breakerOptions === false ? undefined : breakerOptions.strategy ?? ratio()
    // the client's `key` ("route" keys only a route's calls, see `routeStateOf`)
    const keyOf = breakerOptions === false ? undefined : keyOfOptions(breakerOptions, undefined)
    const breaking = yield* Effect.try({
      try: () =>
        breakerOptions === false || strategy === undefined
          ? noBreaker
          : strategy._tag === "Persisted"
          ? undefined
          : coreBreaking(
            breakerOptions,
            strategy,
            settings.maxOrigins,
            settings.timeoutMillis,
            onTransition,
            "circuitBreaker",
            keyOf
          ),
      catch: configError
    }).pipe(Effect.flatMap((b) =>
      b !== undefined ? Effect.succeed(b) : persistedBreaking(breakerOptions as any, strategy as any, publish, keyOf)
    ))
    const sender = transport ?? (yield* undici({
      ...settings.pool,
      connections: settings.maxConnections,
      tls: options.tls,
      proxy: settings.proxy
    }))
    const cookieJar = options.cookies === true ? yield* loadCookieJar() : settings.cookieJar
    const retryCounters = new Map<string, Metric.Metric<number, any>>()
    const rateLimiter = yield* makeRateLimiter(settings.rateLimiter, settings.maxOrigins)
    const state: ClientState = {
      ...settings,
      headers: withAcceptEncodingHeader(settings.headers, settings.decompress, sender.acceptEncoding) ??
        settings.headers,
      rateLimiter,
      cookieJar,
      acceptOf: (accept) =>
        toAcceptStatus(accept),
      millisOf: (name, input) => millisOf("HttpResilient.request", name, input, positiveDuration),
      transport: sender,
      retry: options.retry === false ? undefined : options.retry,
      tracing: options.tracing,
      publish,
      breaker: breaking === noBreaker ? undefined : breaking.guard,
      isFailure: breakerOptions === false ? defaultVerdict : breakerOptions.isFailure ?? defaultVerdict,
      recordDuration: durationRecorder()
    }
    // the routes' own breakers and bulkheads, for health reports
    const routeSources: Array<HealthSource> = []
    const internals = {
      publish,
      retryBudget: settings.retryBudget,
      recordRetry: (reason: string) => {
        let counter = retryCounters.get(reason)
        if (counter === undefined) {
          retryCounters.set(reason, counter = Metric.withAttributes(Telemetry.retries, { reason }))
        }
        counter.updateUnsafe(1, context)
      },
      recordBudgetRejection: () => Telemetry.retryBudgetRejections.updateUnsafe(1, context),
      deadlineMillis: settings.deadlineMillis,
      breakers: breaking.registry,
      bulkhead: settings.bulkhead,
      routes: routeSources,
      baseUrl: settings.baseUrl,
      secrets: settings.secrets,
      transport: sender
    }
    const own: Run = { attempt: run(state, buffered(state)), state }
    // routes: each its own pipeline over the client's state with the route's fields; found once per call, and only
    // when the client has routes
    const routes = settings.routes
    const runs = routes === undefined ? undefined : yield* Effect.try({
      try: () =>
        routes.map((route): Run => {
          const routeState = routeStateOf(state, route, settings.maxOrigins, onTransition, routeSources, {
            breaking,
            key: breakerOptions === false ? undefined : breakerOptions.key
          })
          return { attempt: run(routeState, buffered(routeState)), state: routeState }
        }),
      catch: configError
    })
    const find = routes === undefined ? undefined : routeFinder(routes, settings.baseUrl, settings.secrets)
    const service: ResilientClientService = {
      execute: (method, url, requestOptions, generatedKey) => {
        const i = find === undefined ? -1 : find(method, url)
        const { attempt, state: taken } = i < 0 ? own : runs![i]
        const once = settings.hedge === undefined
          ? attempt(method, url, requestOptions ?? {}, generatedKey)
          : hedge(attempt(method, url, requestOptions ?? {}, generatedKey), settings.hedge)
        const policy = requestOptions?.retry === false ? undefined : requestOptions?.retry ?? taken.retry
        return policy === undefined ? once : retryWithin(once, policy, taken.deadlineMillis)
      },
      circuitState: (origin) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const normalised = originOf(origin)
          return normalised === undefined
            ? Effect.fail(
              new InvalidRequestError({
                method: "",
                url: "",
                attempt: 0,
                reason: "InvalidUrl",
                detail: `circuitState: ${JSON.stringify(String(origin))} names no origin`
              })
            )
            : breaking.circuitState(normalised, now)
        }),
      subscribe: PubSub.subscribe(pubsub),
      internals,
      streams: {
        open: runStreamed(state, streamed(state)),
        retry: state.retry,
        secrets: state.secrets,
        publish
      }
    }
    return service
  })

/** A pipeline's runner and the state it runs over. */
interface Run {
  readonly attempt: ReturnType<typeof run>
  readonly state: ClientState
}

/**
 * What breakers of `options` are keyed by for the calls of route `label` (`undefined`: off any route): `undefined`
 * for the request's origin (the default, and `"route"` off any route).
 */
const keyOfOptions = (
  options: CircuitBreaker.CircuitBreakerOptions,
  label: string | undefined
): KeyOf | undefined => {
  const by = options.key
  if (by === undefined || by === "origin") return undefined
  if (by === "route") return label === undefined ? undefined : (origin) => `${origin} ${label}`
  return (_origin, info) => keyOfRequest(by, info.method, info.url)
}

/**
 * The state a route's calls run over: the client's, with the route's timeout, deadline, acceptStatus and retry, and
 * its own breakers and bulkhead where it sets them (`false`: none). Throws a `RangeError` naming a bad field.
 */
const routeStateOf = (
  state: ClientState,
  route: ResolvedRoute,
  maxOrigins: number,
  onTransition: (origin: string, from: CircuitState, to: CircuitState, now: number) => void,
  sources: Array<HealthSource>,
  /** the client's breakers and their `key` */
  client: { readonly breaking: Breaking; readonly key: CircuitBreaker.BreakerKey | undefined }
): ClientState => {
  const timeoutMillis = route.timeoutMillis ?? state.timeoutMillis
  const options = route.circuitBreaker
  let breaker = state.breaker
  let isFailure = state.isFailure
  if (options === undefined) {
    // the client's breakers; under its `key: "route"`, one per origin and route
    if (breaker !== undefined && client.key === "route") {
      breaker = client.breaking.keyed((origin) => `${origin} ${route.label}`)
    }
  } else if (options === false) breaker = undefined
  else {
    const strategy = options.strategy ?? ratio()
    if (strategy._tag === "Persisted") {
      throw badOption(fn, `${route.label}.circuitBreaker.strategy`, "Persisted", "an in-memory strategy on a route")
    }
    const own = coreBreaking(
      options,
      strategy,
      maxOrigins,
      timeoutMillis,
      onTransition,
      `${route.label}.circuitBreaker`,
      keyOfOptions(options, route.label)
    )
    breaker = own.guard
    sources.push({ route: route.label, breakers: own.registry, bulkhead: undefined })
    isFailure = options.isFailure ?? defaultVerdict
  }
  return {
    ...state,
    timeoutMillis,
    deadlineMillis: route.deadlineMillis ?? state.deadlineMillis,
    accept: route.accept ?? state.accept,
    retry: route.retry === undefined ? state.retry : route.retry === false ? undefined : route.retry,
    breaker,
    isFailure,
    bulkhead: route.bulkhead === undefined ? state.bulkhead : route.bulkhead === false ? undefined : ownBulkhead()
  }

  function ownBulkhead() {
    const own = bulkheadOf(route.bulkhead as BulkheadOptions, `${route.label}.bulkhead`)
    sources.push({ route: route.label, breakers: undefined, bulkhead: own })
    return own
  }
}

const originOf = (origin: string | URL): string | undefined => {
  try {
    const url = new URL(origin)
    return url.origin === "null" ? undefined : url.origin
  } catch {
    return undefined
  }
}

/**
 * `Effect.retry(policy)` with the call's deadline set once for all its attempts (unless one is set already).
 * @internal
 */
export const retryWithin = <A, E, R, B, PE, PR>(
  effect: Effect.Effect<A, E, R>,
  policy: Schedule.Schedule<B, any, PE, PR>,
  deadlineMillis: number
): Effect.Effect<A, E | PE, R | PR> =>
  Effect.flatMap(Effect.service(CurrentDeadline), (existing) =>
    existing !== undefined
      ? Effect.retry(effect, policy)
      : Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.provideService(Effect.retry(effect, policy), CurrentDeadline, now + deadlineMillis)))
