/** @internal */
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { type AcceptStatus, acceptStatusExpected, isAcceptStatus, toAcceptStatus } from "../core/acceptStatus.js"
import { type HeadersInput, isToken, mergeHeaders } from "../core/headers.js"
import type { CommonClientOptions } from "../core/options.js"
import { RequestValidationError } from "../core/requestError.js"
import { redactText, Secrets } from "../core/secrets.js"
import { appendParams, type UrlParamsInput } from "../core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { Failed, RequestStarted, RetryScheduled, Succeeded } from "../ResilientEvent.js"
import type { BulkheadOptions } from "./bulkhead.js"
import type { CircuitBreakerOptions, Strategy } from "./circuitBreaker.js"
import type { HedgeOptions } from "./hedge.js"
import type { Interceptor } from "./interceptor.js"
import { booleanInput, fn, headersInput, retryInput, urlParamsInput } from "./optionSchema.js"
import { nearestName, showValue } from "./optionValue.js"
import type { RateLimiterOptions } from "./rateLimiter.js"
import { type Frame, layerFrame, type Reader, ruleSchema, toConfigError } from "./schema/frame.js"
import { interceptorsInput } from "./schema/interceptors.js"
import {
  protectionFields,
  type ProtectionSettings,
  resolveProtections,
  type RetryBudgetOptions
} from "./schema/protections.js"
import { FollowRedirects, intRange, NonNegativeDuration, PositiveDuration, type Rule, rule } from "./schema/rules.js"
import type { UndiciPoolOptions } from "./transport.js"

export type { AcceptStatus } from "../core/acceptStatus.js"

/**
 * A hook: a plain function, or one returning an Effect or a Promise. A hook that throws, fails or rejects is logged
 * (Warning, naming the hook) and ignored.
 * @internal
 */
export type Hook<E> = (event: E) => unknown

/** @internal */
export interface ClientOptions extends CommonClientOptions<Duration.DurationInput, AcceptStatus, HeadersInput> {
  /**
   * Query parameters added to every request, in the shapes the request option `urlParams` takes. A request's URL
   * keeps its own query first; then come these, then the request's `urlParams` option, appended: nothing is
   * replaced, so a name given by both is sent twice, the client's value first (a server that reads the last value
   * sees the request's). Secret names are redacted wherever the URL is shown, like any query parameter. Not read
   * from the environment (a map of names to values, like `headers`).
   * @since 0.1.0
   * @default none
   * @example
   * ```ts
   * import { ResilientClient } from "effect-http-resilient"
   *
   * // every request carries ?api-version=2024-06-01 (before the request's own urlParams)
   * const Client = ResilientClient.layer({ urlParams: { "api-version": "2024-06-01" } })
   * ```
   */
  readonly urlParams?: UrlParamsInput | undefined
  readonly followRedirects?: boolean | number | undefined
  /**
   * Query parameter names that are secret beside the rule (see `Telemetry`); case-insensitive.
   * @since 0.1.0
   * @default []
   */
  readonly redactQueryParams?: ReadonlyArray<string> | undefined
  /**
   * Follow a redirect from https: to http: (otherwise `TransportError` reason `InsecureRedirect`).
   * @since 0.1.0
   * @default false
   */
  readonly allowInsecureRedirects?: boolean | undefined
  readonly retry?: Schedule.Schedule<unknown, HttpResilientError, never> | false | undefined
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  readonly connectTimeout?: Duration.DurationInput | undefined
  readonly headersTimeout?: Duration.DurationInput | undefined
  readonly bodyTimeout?: Duration.DurationInput | undefined
  readonly pipelining?: number | undefined
  readonly gracePeriod?: Duration.DurationInput | undefined
  readonly tls?: UndiciPoolOptions["tls"]
  readonly lookup?: UndiciPoolOptions["lookup"]
  readonly tracing?: boolean | undefined
  readonly interceptors?: ReadonlyArray<Interceptor> | undefined
  readonly onRequest?: Hook<RequestStarted> | undefined
  readonly onRetry?: Hook<RetryScheduled> | undefined
  readonly onSuccess?: Hook<Succeeded> | undefined
  readonly onFailure?: Hook<Failed> | undefined
  readonly circuitBreaker?: Strategy | CircuitBreakerOptions | false | undefined
  readonly bulkhead?: BulkheadOptions | false | undefined
  readonly rateLimiter?: RateLimiterOptions | false | undefined
  readonly retryBudget?: RetryBudgetOptions | false | undefined
  readonly hedge?: HedgeOptions | false | undefined
}

/**
 * The options after validation, in the shapes the hot path wants.
 * @internal
 */
export interface ResolvedConfig {
  readonly baseUrl: URL | undefined
  readonly headers: Readonly<Record<string, string>>
  /** the client's `urlParams`, encoded once; `undefined` when none */
  readonly urlParams: ReadonlyArray<readonly [string, string]> | undefined
  readonly timeoutMillis: number
  readonly deadline: Duration.Duration
  readonly acceptStatus: (status: number) => boolean
  readonly maxResponseSize: number
  readonly followRedirects: number
  /** the one rule for secret header and query parameter names (built-ins, `redactHeaders`, `redactQueryParams`) */
  readonly redacted: Secrets
  /** whether a redirect may go from https: to http: */
  readonly allowInsecureRedirects: boolean
  readonly retry: Schedule.Schedule<unknown, HttpResilientError, never> | undefined
  readonly pool: UndiciPoolOptions
  readonly tracing: boolean | undefined
  /** `undefined` when none are configured, so the pipeline skips them for free */
  readonly interceptors: ReadonlyArray<Interceptor> | undefined
  readonly protections: ProtectionSettings
  /** how many origins per-origin state (breakers, rate limiter pauses and quotas) is kept for */
  readonly maxOrigins: number
  readonly options: ClientOptions
}

/** @internal */
export const defaults = {
  timeout: Duration.seconds(10),
  deadline: Duration.seconds(30),
  maxConnections: 128,
  maxOrigins: 1000,
  maxResponseSize: 32 * 1024 * 1024,
  followRedirects: 10
} as const

const isHttpUrl = (u: unknown): boolean => {
  if (u instanceof URL) return u.protocol === "http:" || u.protocol === "https:"
  if (typeof u !== "string") return false
  try {
    const url = new URL(u)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

/** An absolute http: or https: URL, shown as the redaction shows it: its userinfo and secret parameters stay secret. */
const BaseUrl: Rule = {
  is: isHttpUrl,
  expected: "an absolute http: or https: URL",
  show: (u) => typeof u === "string" || u instanceof URL ? showValue(redactText(String(u))) : showValue(u)
}

const AcceptStatusRule: Rule = rule(isAcceptStatus, acceptStatusExpected)

const RedactHeaders: Rule = rule(
  (u) => Array.isArray(u) && u.every((x) => typeof x === "string" && isToken(x)),
  "a list of header names"
)

const RedactQueryParams: Rule = rule(
  (u) => Array.isArray(u) && u.every((x) => typeof x === "string" && x !== ""),
  "a list of non-empty parameter names"
)

const bytesLike = (u: unknown) => typeof u === "string" || u instanceof Uint8Array

const tlsKeys = ["ca", "cert", "key", "rejectUnauthorized", "servername"]

/** What undici's connector takes of TLS settings, and nothing else (a misspelt key would be ignored). */
const Tls: Rule = {
  is: (u) => {
    if (typeof u !== "object" || u === null || Array.isArray(u)) return false
    const tls = u as Record<string, unknown>
    return Object.keys(tls).every((key) => tlsKeys.includes(key)) &&
      (tls.ca === undefined || bytesLike(tls.ca) || (Array.isArray(tls.ca) && tls.ca.every(bytesLike))) &&
      (tls.cert === undefined || bytesLike(tls.cert)) &&
      (tls.key === undefined || bytesLike(tls.key)) &&
      (tls.rejectUnauthorized === undefined || typeof tls.rejectUnauthorized === "boolean") &&
      (tls.servername === undefined || typeof tls.servername === "string")
  },
  expected:
    "{ ca?, cert?, key? (strings or Buffers; ca also a list), rejectUnauthorized?: boolean, servername?: string }",
  // a key or certificate is never shown
  show: (u) => typeof u === "object" && u !== null ? "this value" : showValue(u)
}

/**
 * One client option: its Schema as a frame reports it, and how the environment reads it, if it does.
 * @internal
 */
export interface ClientField {
  readonly schema: (frame: Frame, name: string) => Schema.Schema<any>
  readonly env?: Reader | undefined
}

const byRule = (rule: Rule, env?: Reader): ClientField => ({
  schema: (frame, name) => ruleSchema([name], rule, frame),
  env
})
const bySchema = (schema: (name: string) => Schema.Schema<any>, env?: Reader): ClientField => ({
  schema: (_frame, name) => schema(name),
  env
})

/**
 * The client options other than the protections' (schema/protections.ts), in the order they are checked.
 * @internal
 */
export const clientFields: Readonly<Record<string, ClientField>> = {
  baseUrl: byRule(BaseUrl, "string"),
  headers: bySchema(headersInput),
  urlParams: bySchema(urlParamsInput),
  timeout: byRule(PositiveDuration, "duration"),
  deadline: byRule(PositiveDuration, "duration"),
  maxConnections: byRule(intRange(1, 65_536), "integer"),
  maxOrigins: byRule(intRange(1, 1_000_000), "integer"),
  acceptStatus: byRule(AcceptStatusRule),
  maxResponseSize: byRule(intRange(1, 2 ** 32), "integer"),
  followRedirects: byRule(FollowRedirects, "integer"),
  redactHeaders: byRule(RedactHeaders, "list"),
  retry: bySchema(retryInput),
  redactQueryParams: byRule(RedactQueryParams, "list"),
  allowInsecureRedirects: bySchema(booleanInput, "boolean"),
  keepAliveTimeout: byRule(PositiveDuration, "duration"),
  connectTimeout: byRule(PositiveDuration, "duration"),
  headersTimeout: byRule(PositiveDuration),
  bodyTimeout: byRule(PositiveDuration),
  pipelining: byRule(intRange(1, 128)),
  gracePeriod: byRule(NonNegativeDuration),
  tls: byRule(Tls),
  lookup: bySchema(fn),
  tracing: bySchema(booleanInput, "boolean"),
  interceptors: bySchema(() => interceptorsInput),
  onRequest: bySchema(fn),
  onRetry: bySchema(fn),
  onSuccess: bySchema(fn),
  onFailure: bySchema(fn)
}

/**
 * The schema of the client options, reporting by `frame`: every option, the protections' included.
 * @internal
 */
export const clientOptionsSchema = (frame: Frame = layerFrame) => {
  const fields: Record<string, Schema.optional<Schema.Schema<any>>> = {}
  for (const [name, field] of Object.entries(clientFields)) fields[name] = Schema.optional(field.schema(frame, name))
  return Schema.Struct({ ...fields, ...protectionFields(frame) })
}

/**
 * The schema of the client options as a layer reports them.
 * @internal
 */
export const ClientOptionsSchema = clientOptionsSchema()

/**
 * Names of known options outside `ClientOptionsSchema`'s fields (none left: every option has its Schema there).
 * @internal
 */
export const extraOptionNames = new Set<string>()

type Decode = (u: unknown) => Either.Either<unknown, ParseResult.ParseError>

const decoderFor = (schema: Schema.Schema<any>): Decode =>
  Schema.decodeUnknownEither(schema, { onExcessProperty: "ignore", errors: "all" })

const decoders = new WeakMap<Frame, Decode>([[layerFrame, decoderFor(ClientOptionsSchema)]])

/** The decoder of the client options that reports by `frame` (one per frame, made once). */
const decoderOf = (frame: Frame): Decode => {
  let decode = decoders.get(frame)
  if (decode === undefined) {
    decode = decoderFor(clientOptionsSchema(frame))
    decoders.set(frame, decode)
  }
  return decode
}

/** The names of every option of a client. */
const optionNames: ReadonlyArray<string> = Object.keys(ClientOptionsSchema.fields)

/** ` (did you mean "x"?)` when an unknown top-level option is close to a known one (the list is too long to show). */
const didYouMean = (key: string): string => {
  const name = nearestName(key, optionNames)
  return name === undefined ? "" : ` (did you mean "${name}"?)`
}

/**
 * Validates the options once per client and prepares what the hot path needs; a problem is reported by `frame`
 * (the environment's names its variable, see configEnv.ts).
 * @internal
 */
export const resolveConfig = (
  options: ClientOptions,
  frame: Frame = layerFrame
): Either.Either<ResolvedConfig, ConfigError.ConfigError> => {
  if (options === null || typeof options !== "object") {
    return Either.left(ConfigError.InvalidData([], `client options must be an object, got ${showValue(options)}`))
  }
  const unknown = Object.keys(options).filter((key) => !(key in ClientOptionsSchema.fields))
  if (unknown.length > 0) {
    return Either.left(
      unknown.map((key) => ConfigError.InvalidData([key], `${key}: unknown option${didYouMean(key)}`)).reduce((a, b) =>
        ConfigError.And(a, b)
      )
    )
  }
  const decoded = decoderOf(frame)(options)
  if (Either.isLeft(decoded)) return Either.left(toConfigError(decoded.left, frame))
  const redacted = new Secrets(options.redactHeaders, options.redactQueryParams)
  const headers: Record<string, string> = {}
  const headerError = mergeHeaders(headers, options.headers, redacted)
  if (headerError instanceof RequestValidationError) {
    return Either.left(ConfigError.InvalidData(["headers"], `headers: ${headerError.detail}`))
  }
  let urlParams: Array<readonly [string, string]> | undefined
  if (options.urlParams !== undefined) {
    const params = new URLSearchParams()
    try {
      appendParams(params, options.urlParams)
    } catch {
      return Either.left(ConfigError.InvalidData(["urlParams"], `urlParams: a value could not be encoded`))
    }
    if (params.size > 0) urlParams = [...params]
  }
  const retry = options.retry
  const followRedirects = options.followRedirects === undefined || options.followRedirects === true
    ? defaults.followRedirects
    : options.followRedirects === false
    ? 0
    : options.followRedirects
  return Either.right({
    baseUrl: options.baseUrl === undefined ? undefined : new URL(String(options.baseUrl)),
    headers,
    urlParams,
    timeoutMillis: options.timeout === undefined
      ? Duration.toMillis(defaults.timeout)
      : Duration.toMillis(Duration.decode(options.timeout)),
    deadline: options.deadline === undefined ? defaults.deadline : Duration.decode(options.deadline),
    acceptStatus: toAcceptStatus(options.acceptStatus),
    maxResponseSize: options.maxResponseSize ?? defaults.maxResponseSize,
    followRedirects,
    redacted,
    allowInsecureRedirects: options.allowInsecureRedirects === true,
    retry: retry === false || retry === undefined ? undefined : retry,
    pool: {
      connections: options.maxConnections ?? defaults.maxConnections,
      keepAliveTimeout: options.keepAliveTimeout,
      connectTimeout: options.connectTimeout,
      headersTimeout: options.headersTimeout,
      bodyTimeout: options.bodyTimeout,
      pipelining: options.pipelining,
      gracePeriod: options.gracePeriod,
      tls: options.tls,
      lookup: options.lookup
    },
    tracing: options.tracing,
    interceptors: options.interceptors === undefined || options.interceptors.length === 0
      ? undefined
      : [...options.interceptors],
    protections: resolveProtections(options),
    maxOrigins: options.maxOrigins ?? defaults.maxOrigins,
    options
  })
}
