import { assert, describe, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Effect, Either, Layer } from "effect"
import { ResilientClient } from "../src/index.js"

const fromEnv = (entries: Record<string, string>) =>
  ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" })

const buildError = (
  layer: Layer.Layer<ResilientClient.ResilientClient, ConfigError.ConfigError>,
  env: Record<string, string>
) => Effect.scoped(Layer.build(layer)).pipe(Effect.withConfigProvider(fromEnv(env)), Effect.flip)

/** The `InvalidData` leaves of a ConfigError, as `path: message`. */
const invalid = (error: ConfigError.ConfigError): Array<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...invalid(error.left), ...invalid(error.right)]
    case "InvalidData":
      return [`${error.path.join(".")}: ${error.message}`]
    default:
      return []
  }
}

describe("options from the environment", () => {
  it.effect("a bad value names the environment variable and the option", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.ResilientClientLive, { HTTP_RESILIENT_MAX_CONNECTIONS: "0" })
      assert.deepStrictEqual(invalid(error), [
        "HTTP_RESILIENT.MAX_CONNECTIONS: HTTP_RESILIENT_MAX_CONNECTIONS (maxConnections): 0 is not an integer from 1 to 65536"
      ])
    }))

  it.effect("every bad value is reported, durations as written by Duration.format, under any prefix", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig("MY_HTTP"), {
        MY_HTTP_TIMEOUT: "0 seconds",
        MY_HTTP_BASE_URL: "ftp://files.example.com",
        MY_HTTP_FOLLOW_REDIRECTS: "500",
        MY_HTTP_REDACT_HEADERS: "x-ok,bad header"
      })
      const text = invalid(error)
      assert.include(
        text,
        "MY_HTTP.BASE_URL: MY_HTTP_BASE_URL (baseUrl): \"ftp://files.example.com\" is not an absolute http: or https: URL"
      )
      assert.include(
        text,
        "MY_HTTP.TIMEOUT: MY_HTTP_TIMEOUT (timeout): 0 is not a positive finite duration (e.g. \"10 seconds\" or 10000 for milliseconds)"
      )
      assert.include(
        text,
        "MY_HTTP.FOLLOW_REDIRECTS: MY_HTTP_FOLLOW_REDIRECTS (followRedirects): 500 is not true, false or an integer from 0 to 100"
      )
      assert.include(
        text,
        "MY_HTTP.REDACT_HEADERS: MY_HTTP_REDACT_HEADERS (redactHeaders): [\"x-ok\",\"bad header\"] is not a list of header names"
      )
      assert.strictEqual(text.length, 4)
    }))

  it.effect("a value that does not parse is reported by Config, at the same path", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.ResilientClientLive, { HTTP_RESILIENT_MAX_CONNECTIONS: "many" })
      assert.strictEqual(invalid(error).length, 1)
      assert.match(invalid(error)[0], /^HTTP_RESILIENT\.MAX_CONNECTIONS: /)
    }))

  it.effect("overrides given in code keep naming the option, and replace the environment's value", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig("HTTP_RESILIENT", { maxConnections: 0 }), {
        HTTP_RESILIENT_TIMEOUT: "0 millis"
      })
      assert.deepStrictEqual(invalid(error).sort(), [
        "HTTP_RESILIENT.TIMEOUT: HTTP_RESILIENT_TIMEOUT (timeout): 0 is not a positive finite duration (e.g. \"10 seconds\" or 10000 for milliseconds)",
        "maxConnections: maxConnections: 0 is not an integer from 1 to 65536"
      ])
      // a bad environment value replaced in code is no error
      const ok = yield* Effect.scoped(Layer.build(ResilientClient.layerConfig("HTTP_RESILIENT", { maxConnections: 8 })))
        .pipe(Effect.withConfigProvider(fromEnv({ HTTP_RESILIENT_MAX_CONNECTIONS: "0" })), Effect.either)
      assert.isTrue(Either.isRight(ok))
    }))

  it.effect("with no prefix the variable is the option's own name", () =>
    Effect.gen(function*() {
      const error = yield* buildError(ResilientClient.layerConfig(""), { PIPELINING: "0", DEADLINE: "0 seconds" })
      assert.deepStrictEqual(invalid(error), [
        "DEADLINE: DEADLINE (deadline): 0 is not a positive finite duration (e.g. \"10 seconds\" or 10000 for milliseconds)"
      ])
    }))

  it.effect("a misspelt option in code suggests the nearest one", () =>
    Effect.gen(function*() {
      const error = yield* Effect.scoped(Layer.build(ResilientClient.layer({ maxConnection: 5 } as any))).pipe(
        Effect.flip
      )
      assert.deepStrictEqual(invalid(error), [
        `maxConnection: maxConnection: unknown option (did you mean "maxConnections"?)`
      ])
    }))
})
