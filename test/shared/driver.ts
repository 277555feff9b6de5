/**
 * The edition-neutral driver the shared behavioural suite runs through: one test body, two runners (the v3 entry
 * under the root vitest, the v4 edition under vitest in v4/), so both editions are held to the same promises.
 *
 * This file and every body in test/shared/ import neither `effect` nor `@effect/*`: only plain TypeScript and
 * `node:` modules. Each edition implements {@link Driver} on its PUBLIC API only (its index), translating the
 * plain specs below into its own options (`Duration`s, `Schedule`s, strategies), running each request as one
 * Effect, and translating how it ended into an {@link Outcome}.
 *
 * Rules for bodies (so the same body holds in both editions):
 * - real loopback servers (127.0.0.1, port 0) started by the body, and REAL time with generous bounds (the test
 *   machine is loaded): backoffs of 5–20 ms, timeouts of seconds; no TestClock (the editions' TestClocks are
 *   different modules);
 * - counts and gaps are measured at the server, which is the truth the user cares about;
 * - durations are plain milliseconds; options keep their DESIGN.md names (`retries`, `backoff`, `circuitBreaker`,
 *   `retryBudget`, `bulkhead`, `timeout` → `timeoutMs`, `deadline` → `deadlineMs`, `maxResponseSize`,
 *   `redactHeaders` …); an option left out means the edition's default.
 *
 * A runner is one test file per edition; the v3 one is test/Shared.v3.test.ts with its driver in
 * test/support/v3Driver.ts (the reference translation of every spec below):
 *
 * ```ts
 * import { describe, it } from "vitest"
 * import { sharedSuite } from "../../test/shared/index.js" // from v4/test/
 * import { v4Driver } from "./v4Driver.js"
 *
 * sharedSuite({ it, describe }, v4Driver)
 * ```
 *
 * What every driver must do beyond translating: subscribe to the client's events before the body runs; interrupt the
 * calls still running when the body ends (so the client closes at once); reject `withClient` with a
 * {@link DriverConfigError} when the layer refuses the options; resolve `request` with a {@link Failure} for every
 * `HttpResilientError` (renderings included) and reject it only for a defect or an interruption.
 */
import type { Health } from "../../src/core/health.js"

/** Which edition a driver runs. A body may branch on it only to skip a promise one edition documents it lacks. */
export type Edition = "v3" | "v4"

/** A delay schedule, by the names of the `Backoff` module. */
export type BackoffSpec =
  | { readonly kind: "constant"; readonly delayMs: number }
  | {
    readonly kind: "exponential"
    readonly baseMs: number
    readonly factor?: number
    readonly maxMs?: number
    /** `"full"`: `Backoff.fullJitter` around it. @default "none" */
    readonly jitter?: "none" | "full"
  }
  | { readonly kind: "fromDelays"; readonly delaysMs: ReadonlyArray<number> }

/** `RetryPolicy.make(options)`, durations in milliseconds. */
export interface RetrySpec {
  readonly retries?: number
  readonly backoff?: BackoffSpec
  readonly statuses?: ReadonlyArray<number>
  readonly methods?: ReadonlyArray<string>
  readonly respectRetryAfter?: boolean
  readonly maxRetryAfterMs?: number
  readonly onRetryAfterTooLong?: "fail" | "clamp"
}

/** A breaker strategy: `CircuitBreaker.consecutive(threshold)` or `CircuitBreaker.ratio({ ... })`. */
export type BreakerStrategySpec =
  | { readonly kind: "consecutive"; readonly threshold: number }
  | {
    readonly kind: "ratio"
    readonly threshold?: number
    readonly minThroughput?: number
    readonly windowMs?: number
  }

/** The `circuitBreaker` client option (`CircuitBreakerOptions`). */
export interface CircuitBreakerSpec {
  readonly strategy: BreakerStrategySpec
  readonly breakDurationMs?: number
  readonly backoffFactor?: number
  readonly maxBreakDurationMs?: number
  readonly probes?: number
  /** what breakers are kept per (left out: the edition's default, the origin) */
  readonly key?: BreakerKeySpec
}

/** What a route's (or the client's) breakers are kept per: `circuitBreaker.key`. */
export type BreakerKeySpec = "origin" | "route" | ((request: { readonly method: string; readonly url: URL }) => string)

/** One entry of the `routes` client option, by its design names. */
export interface RouteSpec {
  readonly match: {
    readonly origin?: string
    readonly pathPrefix?: string
    readonly method?: string | ReadonlyArray<string>
  }
  /** the route's retry policy: `RetryPolicy.make(spec)`, or `false`; left out: the client's */
  readonly retry?: RetrySpec | false
  /** the route's own breakers (`false`: none); left out: the client's */
  readonly circuitBreaker?: CircuitBreakerSpec | false
}

/** The `retryBudget` client option. */
export interface RetryBudgetSpec {
  readonly ratio?: number
  readonly windowMs?: number
  readonly minRetriesPerSecond?: number
  readonly adaptive?: boolean
}

/** The `bulkhead` client option. */
export interface BulkheadSpec {
  readonly maxConcurrent?: number
  readonly maxQueue?: number
  readonly queueTimeoutMs?: number
}

/** The `rateLimiter` client option; `key` as a string (one shared quota) or the name of a query parameter. */
export interface RateLimiterSpec {
  readonly limit?: number
  readonly windowMs?: number
  readonly algorithm?: "token-bucket" | "fixed-window"
  /** a string names one quota; `{ queryParam }` is the function giving each value of that parameter its own quota */
  readonly key?: string | { readonly queryParam: string }
  readonly adaptive?: boolean
}

/** An interceptor (`Interceptor.make`) as plain callbacks, run on every attempt. */
export interface InterceptorSpec {
  readonly name: string
  /** before the attempt is sent: query parameters to append to its URL */
  readonly onRequest?: (attempt: number) => Readonly<Record<string, string>>
  /** with the attempt's response, which goes on unchanged */
  readonly onResponse?: (attempt: number, status: number) => void
}

/** `HttpResilientTest.chaos(options)`: fault injection at the given rates, seeded; durations in milliseconds. */
export interface ChaosSpec {
  readonly seed?: number
  readonly latency?: { readonly rate: number; readonly delayMs: number }
  readonly status?: { readonly rate: number; readonly status?: number }
  readonly fault?: { readonly rate: number; readonly reason?: string }
}

/** The client options (`ResilientClient.layer(options)`), by their design names. */
export interface ClientSpec {
  readonly baseUrl?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly urlParams?: Readonly<Record<string, string>>
  /** the attempt timeout */
  readonly timeoutMs?: number
  /** the call's deadline */
  readonly deadlineMs?: number
  readonly maxConnections?: number
  /** statuses that are not an error (a list; the edition's default when left out) */
  readonly acceptStatus?: ReadonlyArray<number>
  readonly maxResponseSize?: number
  readonly followRedirects?: boolean | number
  readonly redactHeaders?: ReadonlyArray<string>
  readonly redactQueryParams?: ReadonlyArray<string>
  readonly allowInsecureRedirects?: boolean
  /** the client-wide retry option: a `RetryPolicy.make(spec)`, or `false` */
  readonly retry?: RetrySpec | false
  readonly circuitBreaker?: CircuitBreakerSpec | false
  readonly retryBudget?: RetryBudgetSpec | false
  readonly bulkhead?: BulkheadSpec | false
  readonly rateLimiter?: RateLimiterSpec
  readonly interceptors?: ReadonlyArray<InterceptorSpec>
  /** trusted certificates (PEM), as the `tls: { ca }` option */
  readonly tls?: { readonly ca: string }
  /** the `proxy` option as it is (a URL, `{ uri, token?, noProxy? }`, `"env"`; or a bad value, for its error) */
  readonly proxy?: unknown
  /** the `cookies` option as it is (`true`, `false`, a tough-cookie `CookieJar`; or a bad value, for its error) */
  readonly cookies?: unknown
  /**
   * The client built as `ResilientClient.layerWithTransport(options)` over `HttpResilientTest.chaos(chaos)` over the
   * edition's default undici transport (`Transport.layerUndici()`): the pool options above do not reach it. A rate
   * that `chaos` refuses makes `withClient` reject with the `RangeError` it throws.
   */
  readonly chaos?: ChaosSpec
  /** per-route policies, first match wins */
  readonly routes?: ReadonlyArray<RouteSpec>
  /**
   * the client over the edition's `HttpClient` on the runtime's fetch (`ResilientClient.layerFromHttpClient(options)`
   * with `FetchHttpClient.layer`) instead of its own pool
   */
  readonly overHttpClient?: boolean
}

/**
 * A request body, by the body options' names: in memory (`text`, `json`, `form`, `bytes`, a `multipart` FormData) or
 * a one-shot `stream` of these chunks (each one a chunk of the edition's `Stream`), with its `contentLength` if given.
 */
export type BodySpec =
  | { readonly text: string }
  | { readonly json: unknown }
  | { readonly form: Readonly<Record<string, string | ReadonlyArray<string>>> }
  | { readonly bytes: Uint8Array; readonly contentType?: string }
  | { readonly multipart: FormData }
  | { readonly stream: ReadonlyArray<Uint8Array>; readonly contentLength?: number }
  | { readonly body: PlatformBodySpec }

/**
 * The `body` option: the edition's own `HttpBody` (`@effect/platform`'s in v3, `effect/http`'s in v4), made by its
 * `HttpBody.text(text, contentType)` or `HttpBody.stream(stream, contentType, contentLength)` (the stream one-shot,
 * one chunk per element of `stream`).
 */
export type PlatformBodySpec =
  | { readonly text: string; readonly contentType: string }
  | { readonly stream: ReadonlyArray<Uint8Array>; readonly contentType: string; readonly contentLength?: number }

/** An entry of the `attempts` request option: the options of one attempt. */
export interface AttemptSpec {
  readonly headers?: Readonly<Record<string, string>>
  readonly urlParams?: Readonly<Record<string, string>>
  /** the attempt timeout */
  readonly timeoutMs?: number
  readonly body?: BodySpec
  /** options given as they are, for their errors (a bad value, an option of the whole call, an unknown name) */
  readonly raw?: Readonly<Record<string, unknown>>
}

/** What the `onProgress` option is called with. */
export interface ProgressReport {
  readonly direction: "upload" | "download"
  readonly bytes: number
  readonly total?: number | undefined
}

/** One call (`HttpResilient.request(method, url, options)`). */
export interface DriverRequest {
  readonly method: string
  /** absolute, or relative to the client's `baseUrl` */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly urlParams?: Readonly<Record<string, string>>
  readonly body?: BodySpec
  readonly idempotencyKey?: boolean | string
  /** the request's `retry` option: `RetryPolicy.make(spec)`, or `false`; left out: the client's */
  readonly retry?: RetrySpec | false
  /** the attempt timeout */
  readonly timeoutMs?: number
  /** the call's deadline */
  readonly deadlineMs?: number
  readonly tag?: string
  /** the `onProgress` option */
  readonly onProgress?: (progress: ProgressReport) => void
  /** the `attempts` option: the n-th entry over the other options for attempt n, the last for the later ones */
  readonly attempts?: ReadonlyArray<AttemptSpec>
  /** aborting it interrupts the call's fiber */
  readonly signal?: AbortSignal
}

/** A call that succeeded: the response with its body read as text. */
export interface Success {
  readonly ok: true
  readonly status: number
  /** lower-case names */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A call that failed with an `HttpResilientError`, flattened to plain data: `tag` is the error's `_tag`; each
 * field below is set when the error has it (durations in milliseconds, `Option`s as a value or `undefined`).
 */
export interface Failure {
  readonly ok: false
  readonly tag: string
  readonly message: string
  readonly method?: string
  /** the error's (redacted) URL */
  readonly url?: string
  readonly attempt?: number
  /** StatusError */
  readonly status?: number
  /** StatusError: the response headers as the error shows them (redacted), lower-case names */
  readonly headers?: Readonly<Record<string, string>>
  /** StatusError `retryAfter` (when Some), RetryAfterTooLongError `retryAfter` */
  readonly retryAfterMs?: number
  /** TransportError `reason`, BulkheadRejectedError `reason`, InvalidRequestError `reason` */
  readonly reason?: string
  /** TimeoutError */
  readonly scope?: "attempt" | "deadline"
  /** TimeoutError `timeout` */
  readonly timeoutMs?: number
  /** CircuitOpenError */
  readonly origin?: string
  /** CircuitOpenError */
  readonly state?: string
  /** BulkheadRejectedError */
  readonly limit?: number
  /** BulkheadRejectedError */
  readonly queued?: number
  /** RetryAfterTooLongError `limit` */
  readonly limitMs?: number
  /** RateLimitedError `waitFor` */
  readonly waitForMs?: number
  /** RetryBudgetExhaustedError `lastError` */
  readonly lastError?: Failure
  /**
   * Every text form of the failure a user or a log could see: the error's `message`, `String(error)`,
   * `JSON.stringify(error)`, its inspected form (`node:util` `inspect`, depth 10) and the pretty-printed cause
   * (`Cause.pretty`). Redaction bodies search these for secrets.
   */
  readonly renderings: ReadonlyArray<string>
}

/** How a call ended. A defect or an interruption is not an Outcome: `request` rejects with it. */
export type Outcome = Success | Failure

/** A published event (`ResilientEvent`), flattened (durations in milliseconds). */
export interface EventSummary {
  readonly tag: string
  readonly method?: string
  readonly url?: string
  readonly attempt?: number
  /** RetryScheduled `delay` */
  readonly delayMs?: number
  /** RetryScheduled / Failed `reason` */
  readonly reason?: string
  /** Succeeded */
  readonly status?: number
  /** the `_tag` of AttemptFailed / RetryScheduled / Failed `error` */
  readonly errorTag?: string
  /** CircuitStateChanged */
  readonly origin?: string
  readonly from?: string
  readonly to?: string
  /** `JSON.stringify` and inspected form of the event, for redaction bodies */
  readonly rendering: string
}

export type CircuitState = "closed" | "open" | "half-open"

/** A call of a streaming verb (`stream`, `lines`, `ndjson` with a schema that takes anything, `sse`). */
export interface StreamRequest {
  readonly verb: "stream" | "lines" | "ndjson" | "sse"
  readonly url: string
  readonly method?: string
  readonly headers?: Readonly<Record<string, string>>
  /** `stream`, `lines`, `ndjson`: resume after a reset mid-body */
  readonly resume?: boolean
  /** `sse`: sent as `Last-Event-ID` on the first connection */
  readonly lastEventId?: string
  readonly retry?: RetrySpec | false
  readonly deadlineMs?: number
  /** stop after this many items (the stream is interrupted, its socket closed) */
  readonly take?: number
  /** `stream`, `lines`, `ndjson`: the request's body */
  readonly body?: BodySpec
  /** `stream`, `lines`, `ndjson`: the `onProgress` option */
  readonly onProgress?: (progress: ProgressReport) => void
  /** the `attempts` option, as {@link DriverRequest}'s */
  readonly attempts?: ReadonlyArray<AttemptSpec>
}

/** How a streaming call ended: the items it emitted, in order, and its error if it failed. */
export interface StreamOutcome {
  /** `stream`: byte chunks (`Uint8Array`); `lines`: strings; `ndjson`: parsed values; `sse`: `{ id, event, data }` */
  readonly items: ReadonlyArray<unknown>
  readonly error?: Failure
}

/** A client built from a {@link ClientSpec}, alive for the body's duration. */
export interface DriverClient {
  /** Runs one call to its end; resolves with how it ended (never rejects for an `HttpResilientError`). */
  request(req: DriverRequest): Promise<Outcome>
  /** `ResilientClient.circuitState(origin)` */
  circuitState(origin: string): Promise<CircuitState>
  /** Every event the client published since it was built, in order (subscribed before the body runs). */
  events(): Promise<ReadonlyArray<EventSummary>>
  /** Runs a streaming verb to its end (or `take` items); resolves with what it emitted and how it ended. */
  stream(req: StreamRequest): Promise<StreamOutcome>
  /** `ResilientClient.warmUp(origin, connections)`: resolves with how it failed, `undefined` when it succeeded. */
  warmUp(origin: string, connections: number): Promise<Failure | undefined>
  /** `ResilientClient.health` */
  health(): Promise<Health>
  /** `ResilientClient.healthy()` or `healthy(origin)`: whether it is healthy, or how it failed */
  healthy(origin?: string): Promise<boolean | Failure>
}

/** Thrown (rejected) by `withClient` when the client's options are refused (the layer's `ConfigError`). */
export class DriverConfigError extends Error {
  readonly tag = "ConfigError"
}

export interface Driver {
  readonly edition: Edition
  /**
   * Builds a client from `spec`, runs `body` with it, then closes the client (its pool, timers and fibers) whatever
   * the body did. Rejects with a {@link DriverConfigError} when the options are refused, else with what `body`
   * rejected with.
   */
  withClient(spec: ClientSpec, body: (client: DriverClient) => Promise<void>): Promise<void>
}

/**
 * The neutral registrar a body registers its tests on: vitest's `it`/`describe` fit it in both vitest 3 and 5, so
 * `sharedSuite({ it, describe }, driver)` runs the same bodies under either runner. Bodies set no per-test timeout:
 * the runner's `testTimeout` (30 s in both configs) bounds each.
 */
export interface Registrar {
  it(name: string, fn: () => Promise<void>): void
  describe(name: string, fn: () => void): void
}

/** A shared body: registers its tests for one driver. */
export type Body = (t: Registrar, driver: Driver) => void
