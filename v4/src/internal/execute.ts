/**
 * `HttpResilient.execute`: a v4 `effect/http` `HttpClientRequest` sent as the verbs send a call. Its method, URL,
 * URL parameters, fragment, headers and body map onto the request options (the options given beside win for
 * headers, and their `urlParams` come after the request's): bytes, text, a `FormData` (`multipart`), a stream
 * (`stream`, with its content length); a raw body that is no string or bytes is an `InvalidRequestError`.
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Redacted from "effect/Redacted"
import { mergeHeaders } from "../../../src/core/headers.js"
import { redactUrl } from "../../../src/core/secrets.js"
import { appendParams } from "../../../src/core/url.js"
import { type HttpResilientError, InvalidRequestError } from "../HttpResilientError.js"
import type { BodyOptions, RequestOptions } from "./request.js"
import { ResilientClient } from "./service.js"

/** The request's body as body options, or what it is when this edition cannot send it. */
const bodyOf = (body: HttpClientRequest.HttpClientRequest["body"]): BodyOptions | string => {
  switch (body._tag) {
    case "Empty":
      return {}
    case "Uint8Array":
      return { bytes: body.body }
    case "Raw":
      return typeof body.body === "string"
        ? { text: body.body }
        : body.body instanceof Uint8Array
        ? { bytes: body.body }
        : "a raw body that is neither a string nor a Uint8Array"
    case "FormData":
      return { multipart: body.formData }
    case "Stream":
      return { stream: body.stream, contentLength: body.contentLength }
  }
}

/** @internal */
export const execute = (
  request: HttpClientRequest.HttpClientRequest,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> => {
  // made with the call, so every run of it (each attempt under Effect.retry) sends the same key
  const generatedKey = options?.idempotencyKey === true ? crypto.randomUUID() : undefined
  return Effect.flatMap(Effect.service(ResilientClient), (service) => {
    const secrets = service.internals.secrets
    let url = request.url
    if (request.hash._tag === "Some") {
      const at = url.indexOf("#")
      url = `${at < 0 ? url : url.slice(0, at)}#${request.hash.value}`
    }
    const fail = (reason: "InvalidBody" | "InvalidHeader", detail: string) =>
      Effect.fail(
        new InvalidRequestError({ method: request.method, url: redactUrl(url, secrets), attempt: 1, reason, detail })
      )
    const body = bodyOf(request.body)
    if (typeof body === "string") {
      return fail("InvalidBody", `execute: ${body} cannot be sent (send bytes, text, JSON, a FormData or a stream)`)
    }
    const headers: Record<string, string> = { ...request.headers }
    const contentType = request.body._tag === "Empty" ? undefined : request.body.contentType
    if (contentType !== undefined) headers["content-type"] ??= contentType
    const invalid = mergeHeaders(headers, options?.headers, secrets)
    if (invalid !== undefined) return fail("InvalidHeader", invalid.detail)
    let urlParams = options?.urlParams
    if (request.urlParams.params.length > 0) {
      const params = new URLSearchParams()
      for (const [name, value] of request.urlParams.params) {
        params.append(name, Redacted.isRedacted(value) ? Redacted.value(value) : value)
      }
      appendParams(params, urlParams)
      urlParams = params
    }
    const merged: RequestOptions = { ...options, ...body, headers, ...(urlParams === undefined ? {} : { urlParams }) }
    return service.execute(request.method, url, merged, generatedKey)
  })
}
