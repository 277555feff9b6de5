/**
 * Request bodies from the body options, the one rule both editions follow: at most one body option, what each is
 * encoded to and with which content type, which can be sent again (all but a one-shot `stream`), and how a
 * multipart form is encoded. Effect-free: each edition maps the result onto its own body type (the `stream` and
 * `body` options carry that edition's types, `S` and `B`).
 * @internal
 */
import { RequestValidationError } from "./requestError.js"
import { appendParams, type UrlParamsInput } from "./url.js"

/**
 * The `form` option: sent `application/x-www-form-urlencoded`, a list as one field per value.
 * @internal
 */
export type FormInput =
  | Readonly<Record<string, string | number | boolean | ReadonlyArray<string> | undefined>>
  | URLSearchParams

/**
 * The body options of a request: at most one of `json` … `body`, with `contentType` (and `contentLength` for a
 * stream) beside it.
 * @internal
 */
export interface BodyOptionsOf<S, B = never> {
  readonly json?: unknown
  readonly text?: string | undefined
  readonly form?: FormInput | undefined
  readonly multipart?: FormData | undefined
  readonly bytes?: Uint8Array | undefined
  readonly stream?: S | undefined
  readonly body?: B | undefined
  readonly contentType?: string | undefined
  readonly contentLength?: number | undefined
}

/**
 * The body options, in the order a conflict names them.
 * @internal
 */
export const bodyKeys = ["json", "text", "form", "multipart", "bytes", "stream", "body"] as const

/**
 * A body as the options give it: `text` (json, text, form: sent as UTF-8), `bytes`, a `multipart` form (encoded
 * when sent: its boundary is the encoder's), a one-shot `stream`, or an edition's own `body`.
 * @internal
 */
export type EncodedBody<S, B> =
  | { readonly kind: "empty" }
  | { readonly kind: "text"; readonly text: string; readonly contentType: string }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array; readonly contentType: string }
  | { readonly kind: "multipart"; readonly form: FormData }
  | {
    readonly kind: "stream"
    readonly stream: S
    readonly contentType: string
    readonly contentLength: number | undefined
  }
  | { readonly kind: "body"; readonly body: B }

/** @internal */
export const emptyBody: EncodedBody<never, never> = { kind: "empty" }

/**
 * The content type each body option is sent with unless `contentType` says otherwise (a multipart form's is its
 * encoder's, with the boundary).
 * @internal
 */
export const defaultContentTypes = {
  json: "application/json",
  text: "text/plain; charset=utf-8",
  form: "application/x-www-form-urlencoded",
  bytes: "application/octet-stream",
  stream: "application/octet-stream"
} as const

/**
 * The body the options set, or a `RequestValidationError` (`InvalidBody`) naming the option: two body options, a
 * `json` value with no JSON form, a `multipart` that is no `FormData`, `bytes` that are no `Uint8Array`.
 * @internal
 */
export const encodeBody = <S, B>(
  options: BodyOptionsOf<S, B> | undefined
): EncodedBody<S, B> | RequestValidationError => {
  if (options === undefined) return emptyBody
  let found: (typeof bodyKeys)[number] | undefined
  for (const key of bodyKeys) {
    if (options[key] !== undefined) {
      if (found !== undefined) {
        return new RequestValidationError("InvalidBody", `options "${found}" and "${key}" both set a body; choose one`)
      }
      found = key
    }
  }
  const contentType = options.contentType
  switch (found) {
    case undefined:
      return emptyBody
    case "json": {
      let text: string | undefined
      try {
        text = JSON.stringify(options.json)
      } catch (cause) {
        return new RequestValidationError("InvalidBody", `option "json" could not be serialised`, cause)
      }
      if (text === undefined) {
        return new RequestValidationError("InvalidBody", `option "json" has no JSON form (a function or undefined?)`)
      }
      return { kind: "text", text, contentType: contentType ?? defaultContentTypes.json }
    }
    case "text":
      return { kind: "text", text: options.text!, contentType: contentType ?? defaultContentTypes.text }
    case "form": {
      const params = new URLSearchParams()
      appendParams(params, options.form as UrlParamsInput)
      return { kind: "text", text: params.toString(), contentType: contentType ?? defaultContentTypes.form }
    }
    case "multipart":
      if (!(options.multipart instanceof FormData)) {
        return new RequestValidationError("InvalidBody", `option "multipart" must be a FormData`)
      }
      return { kind: "multipart", form: options.multipart }
    case "bytes":
      if (!(options.bytes instanceof Uint8Array)) {
        return new RequestValidationError("InvalidBody", `option "bytes" must be a Uint8Array`)
      }
      return { kind: "bytes", bytes: options.bytes, contentType: contentType ?? defaultContentTypes.bytes }
    case "stream":
      return {
        kind: "stream",
        stream: options.stream!,
        contentType: contentType ?? defaultContentTypes.stream,
        contentLength: options.contentLength
      }
    case "body":
      return { kind: "body", body: options.body! }
  }
}

/**
 * A valid `contentLength` option: a non-negative safe integer.
 * @internal
 */
export const isContentLength = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0

/**
 * Whether a body can be sent again — on a retry by a `RetryPolicy`, a hedge's copy, a 307/308 redirect, a reset
 * keep-alive socket: every body but a one-shot stream (the `stream` option, or an edition's own body that
 * `isOneShot` says is one).
 * @internal
 */
export const isReplayable = <S, B>(body: EncodedBody<S, B>, isOneShot?: (body: B) => boolean): boolean =>
  body.kind !== "stream" && (body.kind !== "body" || isOneShot === undefined || !isOneShot(body.body))

/**
 * A multipart form as it is sent: its `content-type` (`multipart/form-data` with the encoder's boundary, which
 * replaces any other) and its bytes, encoded by the platform's own encoder (`Response`).
 * @internal
 */
export const encodeMultipart = (
  form: FormData
): { readonly contentType: string | undefined; readonly bytes: Promise<Uint8Array> } => {
  const response = new Response(form)
  return {
    contentType: response.headers.get("content-type") ?? undefined,
    bytes: response.arrayBuffer().then((buffer) => new Uint8Array(buffer))
  }
}
