/**
 * Validation of request options: one Schema per option, built from the rules client options use (optionSchema.ts).
 * A call checks only the options it was given, once, before anything else happens; a call without options checks
 * nothing.
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Either from "effect/Either"
import type { ParseError } from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { acceptStatusExpected, isAcceptStatus } from "../core/acceptStatus.js"
import { checkAttempts, isOptionsObject, notAnOptionsObject, unknownOption } from "../core/attempts.js"
import { isContentLength } from "../core/bodies.js"
import { badFailoverEntry } from "../core/failover.js"
import { isValidHeaderValue } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import {
  booleanInput,
  durationInput,
  fn,
  followRedirectsInput,
  headersInput,
  headerValueInput,
  issueMessage,
  kindOf,
  positiveInt,
  retryInput,
  stringInput,
  urlParamsInput
} from "./optionSchema.js"
import { showValue } from "./optionValue.js"

type Reason = "InvalidHeader" | "InvalidBody" | "InvalidOption"

/**
 * An option's Schema, with what a value that fails it is reported as.
 * @internal
 */
export interface Field {
  readonly schema: Schema.Schema<any>
  readonly reason: Reason
}

const instance = <A>(name: string, is: (u: unknown) => u is A, expected: string): Schema.Schema<A> =>
  Schema.declare(is, { message: (issue) => `${name}: expected ${expected}, got ${showValue(issue.actual)}` })

const option = (schema: Schema.Schema<any>, reason: Reason = "InvalidOption"): Field => ({ schema, reason })
const body = (schema: Schema.Schema<any>): Field => option(schema, "InvalidBody")

/**
 * The body options (at most one of them is set; `makeBody` reports two).
 * @internal
 */
export const bodyOptions = {
  json: body(Schema.Unknown),
  text: body(stringInput("text")),
  form: body(urlParamsInput("form")),
  multipart: body(instance("multipart", (u): u is FormData => u instanceof FormData, "a FormData")),
  bytes: body(instance("bytes", (u): u is Uint8Array => u instanceof Uint8Array, "a Uint8Array")),
  stream: body(
    instance(
      "stream",
      (u): u is Stream.Stream<Uint8Array, unknown> => typeof u === "object" && u !== null && Stream.StreamTypeId in u,
      "a Stream of Uint8Array"
    )
  ),
  body: body(instance("body", HttpBody.isHttpBody, "an HttpBody")),
  contentType: body(headerValueInput("contentType")),
  contentLength: body(
    instance("contentLength", isContentLength, "a non-negative integer")
  )
} satisfies Record<string, Field>

/**
 * The options an entry of `attempts` may set: those that apply to one attempt.
 * @internal
 */
export const attemptOptions = {
  headers: option(headersInput("headers"), "InvalidHeader"),
  urlParams: option(urlParamsInput("urlParams")),
  timeout: option(durationInput("timeout")),
  idempotencyKey: option(
    Schema.declare(
      (u: unknown): u is boolean | string =>
        typeof u === "boolean" || (typeof u === "string" && u.length > 0 && isValidHeaderValue(u)),
      {
        message: (issue) =>
          `idempotencyKey: expected true, false or a non-empty header value (no CR, LF, NUL …), got ${
            typeof issue.actual === "string" ? "a string that is not one" : showValue(issue.actual)
          }`
      }
    )
  ),
  tag: option(stringInput("tag")),
  maxResponseSize: option(positiveInt("maxResponseSize", 2 ** 32)),
  followRedirects: option(followRedirectsInput),
  acceptStatus: option(
    Schema.declare(isAcceptStatus, {
      message: (issue) => `acceptStatus: expected ${acceptStatusExpected}, got ${showValue(issue.actual)}`
    })
  ),
  acceptResponse: option(fn("acceptResponse")),
  ...bodyOptions
} satisfies Record<string, Field>

/** Options of the whole call, not of one attempt. */
const callOptions = {
  deadline: option(durationInput("deadline")),
  failover: option(
    // never shows the value: URLs carry userinfo and query secrets (each URL is then checked as the request's is)
    Schema.declare(
      (u: unknown): u is ReadonlyArray<string | URL> => badFailoverEntry(u) === undefined,
      {
        message: (issue) => {
          const u = issue.actual
          const at = badFailoverEntry(u) ?? -1
          return at < 0
            ? `failover: expected a list of URLs (strings or URL objects), got ${kindOf(u)}`
            : `failover[${at}]: expected a URL (a string or a URL object), got ${
              kindOf((u as ReadonlyArray<unknown>)[at])
            }`
        }
      }
    )
  ),
  retry: option(retryInput("retry")),
  onProgress: option(fn("onProgress"))
} satisfies Record<string, Field>

/**
 * The request options of the buffered verbs (`get`, `post` … `request`, `execute`); `attempts` is checked entry by
 * entry against `attemptOptions`.
 * @internal
 */
export const requestOptions: RequestOptionFields = {
  ...attemptOptions,
  ...callOptions,
  attempts: option(Schema.Unknown)
}

/**
 * The options of `stream`, `lines` and `ndjson`.
 * @internal
 */
export const streamOptions: RequestOptionFields = {
  ...requestOptions,
  resume: option(booleanInput("resume")),
  // checked as a token when the request is prepared (`normaliseMethod`)
  method: option(stringInput("method"))
}

/**
 * The options of `sse`.
 * @internal
 */
export const sseOptions: RequestOptionFields = {
  ...requestOptions,
  lastEventId: option(
    Schema.declare((u: unknown): u is string => typeof u === "string" && isValidHeaderValue(u), {
      message: (issue) =>
        typeof issue.actual === "string"
          ? `lastEventId: the value contains a control character (CR, LF, NUL …)`
          : `lastEventId: expected a string, got ${showValue(issue.actual)}`
    })
  )
}

/**
 * The options a verb takes, by name.
 * @internal
 */
export type RequestOptionFields = Readonly<Record<string, Field>>

// `decodeUnknownEither` rather than `Schema.is`: for these declared Schemas it costs a tenth (≈ 40 ns against 500)
const decoders = new WeakMap<Field, (u: unknown) => Either.Either<unknown, ParseError>>()
const decoderOf = (field: Field): (u: unknown) => Either.Either<unknown, ParseError> => {
  let decode = decoders.get(field)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(field.schema)
    decoders.set(field, decode)
  }
  return decode
}

const check = (
  options: unknown,
  fields: RequestOptionFields,
  at: string
): RequestValidationError | undefined => {
  if (!isOptionsObject(options)) return notAnOptionsObject(at, showValue(options))
  for (const key in options) {
    const value = options[key]
    if (value === undefined) continue
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined
    if (field === undefined) return unknownOption(at, key, Object.keys(fields), isCallOption)
    if (key === "attempts") {
      const error = checkAttempts(value, at, showValue, checkAttempt)
      if (error !== undefined) return error
    } else {
      const decoded = decoderOf(field)(value)
      if (Either.isLeft(decoded)) return new RequestValidationError(field.reason, at + issueMessage(decoded.left))
    }
  }
  return undefined
}

const isCallOption = (key: string): boolean => key in callOptions

const checkAttempt = (entry: unknown, at: string): RequestValidationError | undefined =>
  check(entry, attemptOptions, at)

/**
 * Checks the options a call was given against `fields` (`requestOptions`, `streamOptions` or `sseOptions`): each
 * set option against its Schema, each entry of `attempts` against `attemptOptions`, and no option unknown. The
 * error names the option (`attempts[1].timeout: …`), shows the value (never a header's) and says what is wrong.
 * @internal
 */
export const validateRequestOptions = (
  options: unknown,
  fields: RequestOptionFields = requestOptions
): RequestValidationError | undefined => options === undefined ? undefined : check(options, fields, "")
