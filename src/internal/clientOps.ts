/**
 * What the public modules do with the client's service: `execute`, `warmUp`, `circuitState` and events.
 * @internal
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { mergeHeaders } from "../core/headers.js"
import { RequestValidationError } from "../core/requestError.js"
import { redactUrl } from "../core/secrets.js"
import { appendParams, joinUrl } from "../core/url.js"
import { type HttpResilientError, InvalidRequestError, TransportError } from "../HttpResilientError.js"
import type { CircuitState, ResilientEvent } from "../ResilientEvent.js"
import { validationError } from "./attemptErrors.js"
import { internalsOf, ResilientClient } from "./client.js"
import type { RequestOptions } from "./request.js"
import { requestOptions as requestOptionFields } from "./requestOptions.js"

/**
 * The origin `origin` names (absolute, or relative to the client's `baseUrl`); something that names no origin is an
 * `InvalidRequestError` whose detail starts with `op` (the operation asked).
 * @internal
 */
export const originOf = (
  origin: string | URL,
  op: string
): Effect.Effect<string, InvalidRequestError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (service) => {
    const client = internalsOf(service)
    const url = joinUrl(origin, client.config.baseUrl, client.config.redacted)
    if (url instanceof RequestValidationError) {
      return Effect.fail(
        new InvalidRequestError({
          method: "",
          url: "",
          attempt: 1,
          reason: "InvalidUrl",
          detail: `${op}: ${url.detail}`,
          cause: url.cause
        })
      )
    }
    return Effect.succeed(url.origin)
  })

/**
 * The state of the circuit breaker of the origin of `origin` (absolute, or relative to the client's `baseUrl`);
 * something that names no origin is an `InvalidRequestError`.
 * @internal
 */
export const circuitState = (origin: string | URL): Effect.Effect<CircuitState, InvalidRequestError, ResilientClient> =>
  Effect.flatMap(
    originOf(origin, "circuitState"),
    (o) =>
      Effect.flatMap(
        ResilientClient,
        (service) => Effect.map(Clock.currentTimeMillis, (now) => internalsOf(service).protections.circuitState(o, now))
      )
  )

/** @internal */
export const events: Stream.Stream<ResilientEvent, never, ResilientClient> = Stream.unwrapScoped(
  Effect.map(Effect.flatMap(ResilientClient, (client) => client.subscribe), (queue) => Stream.fromQueue(queue))
)

/** @internal */
export const subscribe: Effect.Effect<Queue.Dequeue<ResilientEvent>, never, ResilientClient | Scope.Scope> = Effect
  .flatMap(ResilientClient, (client) => client.subscribe)

/**
 * Sends a platform request: its method, URL, URL parameters, fragment, headers and body, with `options` over them
 * (the options' headers win, their `urlParams` come after the request's). The request's URL parameters go through
 * the `urlParams` option, so a relative URL keeps them as `get` does.
 * @internal
 */
export const execute = (
  request: HttpClientRequest.HttpClientRequest,
  options?: RequestOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpResilientError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (service) => {
    const client = internalsOf(service)
    let url = request.url
    if (request.hash._tag === "Some") {
      const at = url.indexOf("#")
      url = `${at < 0 ? url : url.slice(0, at)}#${request.hash.value}`
    }
    if (options !== undefined) {
      // checked before merging: the merge reads the options' headers and urlParams
      const invalid = client.validate(options, requestOptionFields)
      if (invalid !== undefined) {
        return Effect.fail(validationError(invalid, request.method, url, 1, client.config.redacted))
      }
    }
    const headers: Record<string, string> = { ...request.headers }
    mergeHeaders(headers, options?.headers, client.config.redacted)
    let urlParams = options?.urlParams
    if (request.urlParams.length > 0) {
      const params = new URLSearchParams(request.urlParams as Array<[string, string]>)
      appendParams(params, urlParams)
      urlParams = params
    }
    const merged: RequestOptions = {
      ...options,
      headers,
      ...(urlParams === undefined ? {} : { urlParams }),
      ...(request.body._tag === "Empty" ? {} : { body: request.body })
    }
    return service.request(request.method, url, merged)
  })

/**
 * Opens `connections` sockets to `origin` ahead of demand (see `WarmUp`); relative to the client's `baseUrl`.
 * @internal
 */
export const warmUp = (
  origin: string | URL,
  connections: number
): Effect.Effect<void, HttpResilientError, ResilientClient> =>
  Effect.flatMap(ResilientClient, (service) => {
    const client = internalsOf(service)
    const secrets = client.config.redacted
    const url = joinUrl(origin, client.config.baseUrl, secrets)
    const info = { method: "CONNECT", attempt: 1 }
    if (url instanceof RequestValidationError) return Effect.fail(validationError(url, "CONNECT", origin, 1, secrets))
    if (!Number.isInteger(connections) || connections < 1 || connections > 65_536) {
      return Effect.fail(
        new InvalidRequestError({
          ...info,
          url: redactUrl(url, secrets),
          reason: "InvalidOption",
          detail: `warmUp: connections ${connections} is not an integer from 1 to 65536`
        })
      )
    }
    return Effect.withFiberRuntime((fiber) =>
      Effect.mapError(
        client.transport.warmUp(
          new URL(url.origin),
          connections,
          Context.get(fiber.currentDefaultServices, Clock.Clock)
        ),
        (failure) =>
          failure.reason === "InvalidRequest"
            ? new InvalidRequestError({
              ...info,
              url: redactUrl(url, secrets),
              reason: "InvalidOption",
              detail: failure.cause instanceof Error ? failure.cause.message : "warmUp is not supported",
              cause: failure.cause
            })
            : new TransportError({
              ...info,
              url: redactUrl(url, secrets),
              reason: failure.reason === "Timeout" ? "ConnectTimeout" : failure.reason,
              detail: failure.detail,
              cause: failure.cause
            })
      )
    )
  })
