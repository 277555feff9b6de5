/** @internal */
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { toAcceptStatus } from "../core/acceptStatus.js"
import { withAcceptEncodingHeader } from "../core/decompress.js"
import { mergeHeaders } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import { Secrets } from "../core/secrets.js"
import { appendParams } from "../core/url.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { AcceptResponse } from "./acceptResponse.js"
import { type CookieJar, isCookieJar } from "./cookies.js"
import type { Interceptor } from "./interceptor.js"
import { booleanInput, fn, headersInput, retryInput, urlParamsInput } from "./optionSchema.js"
import { nearestName, showValue } from "./optionValue.js"
import { AcceptStatusRule, BaseUrl, CookiesRule, RedactHeaders, RedactQueryParams, Tls } from "./schema/client.js"
import { type Frame, layerFrame, type Reader, ruleSchema, toConfigError } from "./schema/frame.js"
import { interceptorsInput } from "./schema/interceptors.js"
import { protectionFields, type ProtectionSettings, resolveProtections } from "./schema/protections.js"
import { ProxyRule, resolveProxy } from "./schema/proxy.js"
import { routesInput } from "./schema/routes.js"
import { FollowRedirects, intRange, NonNegativeDuration, PositiveDuration, type Rule } from "./schema/rules.js"
import type { UndiciPoolOptions } from "./transport.js"

export type { AcceptStatus } from "../core/acceptStatus.js"

export type { ClientOptions, Hook } from "./clientOptions.js"
import type { ClientOptions } from "./clientOptions.js"

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
  /** the client's `acceptResponse`, if any */
  readonly acceptResponse: AcceptResponse | undefined
  readonly maxResponseSize: number
  /** undo gzip / deflate / br bodies (and ask for them, when the transport decodes them) */
  readonly decompress: boolean
  readonly followRedirects: number
  /** the one rule for secret header and query parameter names (built-ins, `redactHeaders`, `redactQueryParams`) */
  readonly redacted: Secrets
  /** whether a redirect may go from https: to http: */
  readonly allowInsecureRedirects: boolean
  /** the cookie jar, when the `cookies` option is on (`true` is made a jar when the layer is built, `withCookieJar`) */
  readonly cookieJar: CookieJar | undefined
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
  acceptResponse: bySchema(fn),
  maxResponseSize: byRule(intRange(1, 2 ** 32), "integer"),
  decompress: bySchema(booleanInput, "boolean"),
  followRedirects: byRule(FollowRedirects, "integer"),
  redactHeaders: byRule(RedactHeaders, "list"),
  retry: bySchema(retryInput),
  redactQueryParams: byRule(RedactQueryParams, "list"),
  allowInsecureRedirects: bySchema(booleanInput, "boolean"),
  cookies: byRule(CookiesRule),
  keepAliveTimeout: byRule(PositiveDuration, "duration"),
  connectTimeout: byRule(PositiveDuration, "duration"),
  headersTimeout: byRule(PositiveDuration),
  bodyTimeout: byRule(PositiveDuration),
  pipelining: byRule(intRange(1, 128)),
  gracePeriod: byRule(NonNegativeDuration),
  tls: byRule(Tls),
  proxy: byRule(ProxyRule, "string"),
  lookup: bySchema(fn),
  tracing: bySchema(booleanInput, "boolean"),
  interceptors: bySchema(() => interceptorsInput),
  onRequest: bySchema(fn),
  onRetry: bySchema(fn),
  onSuccess: bySchema(fn),
  onFailure: bySchema(fn),
  routes: { schema: (frame) => routesInput(frame) }
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
  const proxy = resolveProxy(options.proxy)
  if (Either.isLeft(proxy)) return Either.left(proxy.left)
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
    acceptResponse: options.acceptResponse,
    maxResponseSize: options.maxResponseSize ?? defaults.maxResponseSize,
    decompress: options.decompress !== false,
    followRedirects,
    redacted,
    allowInsecureRedirects: options.allowInsecureRedirects === true,
    cookieJar: isCookieJar(options.cookies) ? options.cookies : undefined,
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
      lookup: options.lookup,
      proxy: proxy.right
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

/**
 * The config a client runs with over `transport`: when it decompresses and the transport decodes, the client's
 * headers ask for the transport's codings (`Accept-Encoding`), unless the user set the header (a request's own
 * `Accept-Encoding` replaces it, as any client header). Once per layer: no request pays for it.
 * @internal
 */
export const withAcceptEncoding = (
  config: ResolvedConfig,
  acceptEncoding: string | undefined
): ResolvedConfig => {
  const headers = withAcceptEncodingHeader(config.headers, config.decompress, acceptEncoding)
  return headers === undefined ? config : { ...config, headers }
}
