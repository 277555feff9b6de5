/**
 * The body readers of `HttpResilient` (`json`, `text`, `bytes`) over a v4 `effect/http` response.
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schema from "effect/Schema"
import { responseInfo } from "../../../src/core/responseInfo.js"
import { DecodeError } from "../HttpResilientError.js"

/** @internal */
export const json = <S extends Schema.Constraint>(schema: S) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (
    response: HttpClientResponse.HttpClientResponse
  ): Effect.Effect<S["Type"], DecodeError, S["DecodingServices"]> =>
    Effect.flatMap(
      Effect.mapError(response.json, (error) =>
        new DecodeError({
          ...responseInfo(response),
          cause: "cause" in error.reason ? error.reason.cause : error
        })),
      (body) => Effect.mapError(decode(body), (cause) => new DecodeError({ ...responseInfo(response), cause }))
    )
}

/** @internal */
export const text = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  Effect.orDie(response.text)

/** @internal */
export const bytes = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Uint8Array> =>
  Effect.map(Effect.orDie(response.arrayBuffer), (buffer) => new Uint8Array(buffer))
