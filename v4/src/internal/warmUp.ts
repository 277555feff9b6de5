/**
 * `ResilientClient.warmUp`: sockets opened to an origin ahead of demand, in the client's own pool (the transport's
 * `warmUp`, over core/warmPool.ts). The root entry's checks and errors.
 * @internal
 */
import * as Effect from "effect/Effect"
import { RequestValidationError } from "../../../src/core/requestError.js"
import { redactUrl } from "../../../src/core/secrets.js"
import { joinUrl } from "../../../src/core/url.js"
import { type HttpResilientError, InvalidRequestError, TransportError } from "../HttpResilientError.js"
import { ResilientClient } from "./service.js"

/** @internal */
export const warmUp = (
  origin: string | URL,
  connections: number
): Effect.Effect<void, HttpResilientError, ResilientClient> =>
  Effect.flatMap(Effect.service(ResilientClient), (service): Effect.Effect<void, HttpResilientError> => {
    const client = service.internals
    const info = { method: "CONNECT", attempt: 1 }
    const url = joinUrl(origin, client.baseUrl, client.secrets)
    if (url instanceof RequestValidationError) {
      const shown = typeof origin === "string" || origin instanceof URL ? redactUrl(origin, client.secrets) : ""
      return Effect.fail(
        new InvalidRequestError({ ...info, url: shown, reason: url.reason, detail: `warmUp: ${url.detail}` })
      )
    }
    const shown = redactUrl(url, client.secrets)
    if (!Number.isInteger(connections) || connections < 1 || connections > 65_536) {
      return Effect.fail(
        new InvalidRequestError({
          ...info,
          url: shown,
          reason: "InvalidOption",
          detail: `warmUp: connections ${connections} is not an integer from 1 to 65536`
        })
      )
    }
    const warm = client.transport.warmUp
    if (warm === undefined) {
      return Effect.fail(
        new InvalidRequestError({
          ...info,
          url: shown,
          reason: "InvalidOption",
          detail: `warmUp needs the client's own pool (ResilientClient.layer); this client uses ${
            client.transport.uses ?? "another transport"
          }`
        })
      )
    }
    return Effect.mapError(warm(new URL(url.origin), connections), (failure) =>
      new TransportError({
        ...info,
        url: shown,
        reason: failure.reason === "Timeout" ? "ConnectTimeout" : failure.reason as TransportError["reason"],
        detail: failure.detail,
        cause: failure.cause
      }))
  })
