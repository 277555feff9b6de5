import { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import {
  Cause,
  ConfigError,
  ConfigProvider,
  Duration,
  Effect,
  Exit,
  FastCheck as fc,
  Layer,
  Logger,
  LogLevel,
  Option,
  Schedule,
  Stream
} from "effect"
import { isValidHeaderValue, mergeHeaders } from "../src/core/headers.js"
import { RequestValidationError } from "../src/core/requestError.js"
import { defaultSecrets } from "../src/core/secrets.js"
import { joinUrl } from "../src/core/url.js"
import { HttpResilient, HttpResilientError, HttpResilientTest, ResilientClient } from "../src/index.js"

const hasBadChar = (s: string) =>
  [...s].some((ch) => {
    const c = ch.charCodeAt(0)
    return (c < 32 && c !== 9) || c === 127 || c > 255
  })

describe("header validation (property)", () => {
  it("never throws; refuses exactly the values with CR, LF, NUL, other controls or non-latin1; keeps the rest as given", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-ascii" })),
        fc.constantFrom("x-a", "authorization", "X-Mixed-Case"),
        (value, name) => {
          const target: Record<string, string> = {}
          const result = mergeHeaders(target, { [name]: value }, defaultSecrets)
          if (hasBadChar(value)) {
            assert.instanceOf(result, RequestValidationError)
            assert.isUndefined(target[name.toLowerCase()])
            // a redacted header's value is never echoed in the message
            if (name === "authorization" && value.length > 3) assert.notInclude(result!.detail, value)
          } else {
            assert.isUndefined(result)
            assert.strictEqual(target[name.toLowerCase()], value)
          }
          assert.strictEqual(isValidHeaderValue(value), !hasBadChar(value))
        }
      ),
      { numRuns: 10_000 }
    )
  })

  it("header names: only RFC 9110 tokens pass", () => {
    const tokenChar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 0, maxLength: 20 }), (name) => {
        const result = mergeHeaders({}, [[name, "v"]], defaultSecrets)
        assert.strictEqual(result === undefined, tokenChar.test(name))
      }),
      { numRuns: 10_000 }
    )
  })
})

describe("URL joining (property)", () => {
  // dot segments ("." and "..") are resolved as RFC 3986 says, so they are left out here
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/).filter((s) => !/^\.+$/.test(s))
  const base = fc.constantFrom(
    "http://127.0.0.1:8080",
    "http://h.test/api",
    "https://h.test/api/v1/",
    "http://h.test/a?k=v"
  )

  it("never throws; a relative path lands under the base path, byte for byte", () => {
    fc.assert(
      fc.property(base, fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), (b, parts, leadingSlash) => {
        const baseUrl = new URL(b)
        const path = (leadingSlash ? "/" : "") + parts.join("/")
        const joined = joinUrl(path, baseUrl)
        assert.notInstanceOf(joined, RequestValidationError)
        const url = joined as URL
        const basePath = baseUrl.pathname.endsWith("/") ? baseUrl.pathname : baseUrl.pathname + "/"
        assert.strictEqual(url.origin, baseUrl.origin)
        assert.strictEqual(url.pathname, basePath + parts.join("/"))
        assert.strictEqual(url.search, baseUrl.search)
      }),
      { numRuns: 10_000 }
    )
  })

  it("never throws on any input: either a URL with an http(s) scheme, or a validation error", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: "binary" })), (input) => {
        const joined = joinUrl(input, new URL("http://h.test/base"))
        if (joined instanceof URL) {
          assert.include(["http:", "https:"], joined.protocol)
          assert.isFalse(/[\u0000-\u001f\u007f]/.test(joined.href))
        } else {
          assert.instanceOf(joined, RequestValidationError)
        }
      }),
      { numRuns: 10_000 }
    )
  })

  it("absolute URLs are used as they are", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), (input) => {
        const joined = joinUrl(input, new URL("http://other.test/base"))
        assert.notInstanceOf(joined, RequestValidationError)
        assert.strictEqual((joined as URL).href, new URL(input).href)
      }),
      { numRuns: 10_000 }
    )
  })
})

describe("through the public API (property)", () => {
  it.effect("any header value: sent exactly as given, or refused with InvalidRequestError before any I/O", () =>
    Effect.gen(function*() {
      const samples = fc.sample(fc.oneof(fc.string(), fc.string({ unit: "binary" })), { numRuns: 2_000, seed: 42 })
      let sent = 0
      for (const value of samples) {
        const result = yield* Effect.either(HttpResilient.get("http://api.test/", { headers: { "x-v": value } }))
        if (hasBadChar(value)) {
          assert.strictEqual(result._tag, "Left")
          if (result._tag === "Left") assert.strictEqual(result.left._tag, "InvalidRequestError")
        } else {
          assert.strictEqual(result._tag, "Right")
          sent++
        }
      }
      const requests = yield* HttpResilientTest.requests
      assert.strictEqual(requests.length, sent)
      const good = samples.filter((v) => !hasBadChar(v))
      assert.deepStrictEqual(requests.map((r) => r.headers["x-v"]), good)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))
})

// ---------------------------------------------------------------------------
// every option, any value: a typed error naming it or a success; never a defect, never I/O first
// ---------------------------------------------------------------------------

/** The values that broke options before, and others at the edges of their rules: every option gets each of them. */
const edgeValues: ReadonlyArray<unknown> = [
  undefined,
  null,
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  1,
  2.5,
  100,
  101,
  2 ** 40,
  "",
  "10 seconds",
  "1 millis",
  "http://api.test/other",
  "x\r\ny",
  true,
  false,
  [],
  [["a", "b"]],
  [1],
  [{}],
  [{ timeout: -1 }],
  { a: "b" },
  { a: ["b", "c"] },
  { "bad name": "v" },
  { a: 1 },
  () => 1,
  async () => 1,
  () => Effect.succeed(1),
  Promise.resolve(1),
  new URLSearchParams("a=1"),
  new Headers({ a: "1" }),
  new URL("http://api.test/u"),
  new Uint8Array([1]),
  Schedule.recurs(1),
  Duration.seconds(1),
  Symbol("s")
]

/** For each option: every edge value, then `n` arbitrary JSON values (seeded: a failure replays). */
const valuesFor = (seed: number, n: number): ReadonlyArray<unknown> => [
  ...edgeValues,
  ...fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: n, seed })
]

/**
 * Every property name of `T`, as a list the compiler checks both ways: a name `T` does not have is an error, and so
 * is a list that leaves one of `T`'s out.
 */
const everyName = <T>() =>
<const Names extends ReadonlyArray<keyof T & string>>(
  names:
    & Names
    & ([Exclude<keyof T, Names[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, Names[number]> })
): ReadonlyArray<string> => names

/** Every option a request takes (the public `HttpResilient.RequestOptions`). */
const requestOptionNames = everyName<HttpResilient.RequestOptions>()([
  "headers",
  "urlParams",
  "timeout",
  "idempotencyKey",
  "tag",
  "maxResponseSize",
  "followRedirects",
  "acceptStatus",
  "acceptResponse",
  "json",
  "text",
  "form",
  "multipart",
  "bytes",
  "stream",
  "body",
  "contentType",
  "contentLength",
  "deadline",
  "failover",
  "retry",
  "onProgress",
  "attempts"
])
/** What an entry of `attempts` may set: every request option but those of the whole call. */
const wholeCall = ["deadline", "failover", "retry", "onProgress", "attempts"]
const attemptOptionNames = requestOptionNames.filter((name) => !wholeCall.includes(name))

/** Runs `call` and reports how it ended and whether the transport was reached. */
const outcome = <A, E, R>(call: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const before = (yield* HttpResilientTest.requests).length
    const exit = yield* Effect.exit(call)
    const sent = (yield* HttpResilientTest.requests).length - before
    return { exit, sent }
  })

/** The exit is a success, or a failure with an HttpResilientError; an InvalidRequestError names `name` and no I/O. */
const assertTyped = (
  exit: Exit.Exit<unknown, unknown>,
  sent: number,
  name: string,
  value: unknown
) => {
  const shown = () => `${name}: ${String(typeof value === "symbol" ? "a symbol" : JSON.stringify(value))}`
  if (Exit.isSuccess(exit)) return
  assert.isFalse(Cause.isDie(exit.cause), `a defect for ${shown()}: ${Cause.pretty(exit.cause)}`)
  const failure = Cause.failureOption(exit.cause)
  assert.isTrue(Option.isSome(failure), `no failure for ${shown()}: ${Cause.pretty(exit.cause)}`)
  const error = (failure as Option.Some<any>).value
  assert.isTrue(HttpResilientError.isHttpResilientError(error), `not an HttpResilientError for ${shown()}`)
  if (error._tag === "InvalidRequestError") {
    assert.strictEqual(sent, 0, `I/O before the InvalidRequestError for ${shown()}`)
    assert.include(error.detail, name, `the error does not name the option for ${shown()}`)
  }
}

const quiet = Logger.minimumLogLevel(LogLevel.None)

describe("every request option, any value (property)", () => {
  // one client for every call: 204 to an event stream (it ends), 200 to anything else
  const scripted = HttpResilientTest.layer((request) =>
    HttpResilientTest.reply(request.headers.accept === "text/event-stream" ? 204 : 200)
  )
  const runs = 10

  it.effect("get(url, { [option]: value }) and attempts: [{ [option]: value }]", () =>
    Effect.gen(function*() {
      for (const [i, name] of requestOptionNames.entries()) {
        for (const value of valuesFor(7 + i, runs)) {
          const direct = yield* outcome(HttpResilient.get("http://api.test/x", { [name]: value }))
          assertTyped(direct.exit, direct.sent, name, value)
          if (attemptOptionNames.includes(name)) {
            const nested = yield* outcome(HttpResilient.get("http://api.test/x", { attempts: [{ [name]: value }] }))
            // named as `attempts[0].${name}`, or (a body that has no JSON form) by the option alone
            assertTyped(nested.exit, nested.sent, name, value)
          }
        }
      }
    }).pipe(Effect.provide(scripted), Effect.provide(quiet)))

  it.effect("the streaming verbs: stream (with resume and method) and sse (with lastEventId)", () =>
    Effect.gen(function*() {
      for (const [i, name] of [...requestOptionNames, "resume", "method", "lastEventId"].entries()) {
        for (const value of valuesFor(70 + i, 0).filter((_, k) => k % 3 === i % 3)) {
          if (name !== "lastEventId") {
            const streamed = yield* outcome(
              Stream.runDrain(HttpResilient.stream("http://api.test/s", { [name]: value, retry: false }))
            )
            assertTyped(streamed.exit, streamed.sent, name, value)
          }
          if (name !== "resume" && name !== "method") {
            const events = yield* outcome(
              Stream.runDrain(HttpResilient.sse("http://api.test/e", { [name]: value, retry: false }))
            )
            assertTyped(events.exit, events.sent, name, value)
          }
        }
      }
    }).pipe(Effect.provide(scripted), Effect.provide(quiet)))

  it.effect("execute(request, { [option]: value })", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.get("http://api.test/e").pipe(HttpClientRequest.setUrlParam("q", "1"))
      for (const [i, name] of requestOptionNames.entries()) {
        for (const value of valuesFor(700 + i, 5)) {
          const { exit, sent } = yield* outcome(HttpResilient.execute(request, { [name]: value }))
          assertTyped(exit, sent, name, value)
        }
      }
    }).pipe(Effect.provide(scripted), Effect.provide(quiet)))

  it.effect("the values reported: an InvalidRequestError naming the option and the value, before any I/O", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[HttpResilient.RequestOptions, string]> = [
        [{ followRedirects: NaN }, "followRedirects: NaN is not true, false or an integer from 0 to 100"],
        [{ followRedirects: Infinity }, "followRedirects: Infinity is not"],
        [{ followRedirects: -1 }, "followRedirects: -1 is not"],
        [{ followRedirects: 2.5 }, "followRedirects: 2.5 is not"],
        [{ attempts: [{}, { followRedirects: NaN }] }, "attempts[1].followRedirects: NaN is not"],
        [{ headers: null as any }, "headers: expected a record of header values, a Headers or [name, value] pairs"],
        [{ retry: 5 as any }, "retry: expected a Schedule (e.g. a RetryPolicy) or false, got 5"],
        [{ timeout: Infinity }, "timeout: Infinity is not a positive finite duration"],
        [{ deadline: NaN }, "deadline: NaN is not a positive finite duration"],
        [{ maxResponseSize: 2.5 }, "maxResponseSize: 2.5 is not an integer from 1 to"],
        [{ failover: ["relative/path"] }, "failover[0]: relative URL \"relative/path\" needs the client's baseUrl"],
        // objects without a JSON form of their own are named by their kind, not shown as {}
        [{ timeout: Promise.resolve(1) as any }, "timeout: a Promise is not a positive finite duration"],
        [
          { retry: Promise.resolve(false) as any },
          "retry: expected a Schedule (e.g. a RetryPolicy) or false, got a Promise"
        ],
        [
          { idempotencyKey: new Map() as any },
          "idempotencyKey: expected true, false or a non-empty header value (no CR, LF, NUL …), got a Map"
        ],
        [{ headers: new Map([["a", "b"]]) as any }, "pairs, got a Map"],
        [{ urlParams: Promise.resolve({}) as any }, "pairs, got a Promise"]
      ]
      for (const [options, message] of cases) {
        const error = yield* Effect.flip(HttpResilient.get("http://api.test/x", options))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.message, message)
      }
      // values that may be secrets are never shown: the parameter, header or entry is named instead
      const secrets: ReadonlyArray<[HttpResilient.RequestOptions, string]> = [
        [{ urlParams: { token: { v: "s3cr3t" } } as any }, `urlParams: "token" is not a string`],
        [{ form: { password: [{ v: "s3cr3t" }] } as any }, `form: "password" is not a string`],
        [{ failover: ["http://u:s3cr3t@h.test/", 5] as any }, "failover[1]: expected a URL"],
        [{ headers: { authorization: ["s3cr3t", 5] } as any }, `headers: header "authorization" has a number element`],
        [{ headers: { "x-api-key": "s3cr3t\n" } }, `headers: header "x-api-key" value contains a control character`],
        [{ headers: [["authorization", "Bearer s3cr3t", "x"]] as any }, "headers: entry 0 is not a [name, value] pair"],
        [{ headers: ["authorization", "Bearer s3cr3t"] as any }, "headers: entry 0 is not a [name, value] pair"],
        [{ headers: "Bearer s3cr3t" as any }, "headers: expected a record of header values, a Headers or [name, value]"]
      ]
      for (const [options, message] of secrets) {
        const error = yield* Effect.flip(HttpResilient.get("http://api.test/x", options))
        assert.include(error.message, message)
        assert.notInclude(error.message, "s3cr3t")
      }
      assert.strictEqual((yield* HttpResilientTest.requests).length, 0)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(301, { headers: { location: "/x" } })]))))

  it.effect("options that are not an object, and unknown options, are named too", () =>
    Effect.gen(function*() {
      for (const value of valuesFor(3, 100).filter((v) => v !== undefined)) {
        const isObject = typeof value === "object" && value !== null && !Array.isArray(value)
        const { exit, sent } = yield* outcome(HttpResilient.get("http://api.test/x", value as any))
        assertTyped(exit, sent, isObject && Object.keys(value).length > 0 ? "" : "options", value)
      }
      const misspelt = yield* Effect.flip(HttpResilient.get("http://api.test/x", { timout: 5 } as any))
      assert.strictEqual(misspelt._tag, "InvalidRequestError")
      assert.include(misspelt.message, `"timout": unknown option (did you mean "timeout"?)`)
      const perCall = yield* Effect.flip(HttpResilient.get("http://api.test/x", { attempts: [{ retry: false }] }))
      assert.include(perCall.message, `attempts[0].retry: applies to the whole call`)
      const notObject = yield* Effect.flip(HttpResilient.get("http://api.test/x", { attempts: [{}, 5 as any] }))
      assert.include(notObject.message, "attempts[1]: expected an object of request options, got 5")
    }).pipe(Effect.provide(scripted)))
})

describe("every client option, any value (property)", () => {
  /** Every client option (the public `ResilientClient.ClientOptions`). */
  const names = everyName<ResilientClient.ClientOptions>()([
    "baseUrl",
    "headers",
    "urlParams",
    "timeout",
    "deadline",
    "maxConnections",
    "maxOrigins",
    "acceptStatus",
    "acceptResponse",
    "maxResponseSize",
    "followRedirects",
    "redactHeaders",
    "retry",
    "redactQueryParams",
    "allowInsecureRedirects",
    "cookies",
    "keepAliveTimeout",
    "connectTimeout",
    "headersTimeout",
    "bodyTimeout",
    "pipelining",
    "gracePeriod",
    "tls",
    "lookup",
    "tracing",
    "onRequest",
    "onRetry",
    "onSuccess",
    "onFailure",
    "circuitBreaker",
    "bulkhead",
    "rateLimiter",
    "retryBudget",
    "interceptors",
    "hedge",
    "decompress",
    "proxy",
    "routes"
  ])

  /** Builds a client with `options` and makes one call with it: a ConfigError naming `name`, or a typed call. */
  const check = (options: ResilientClient.ClientOptions, name: string, value: unknown) =>
    Effect.gen(function*() {
      let called = false
      const exit = yield* Effect.exit(
        Effect.suspend(() => {
          called = true
          return outcome(HttpResilient.get("http://api.test/x"))
        }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], options)))
      )
      if (Exit.isFailure(exit)) {
        assert.isFalse(Cause.isDie(exit.cause), `a defect for ${name}: ${Cause.pretty(exit.cause)}`)
        const error = Cause.failureOption(exit.cause)
        assert.isTrue(Option.isSome(error), Cause.pretty(exit.cause))
        const e = (error as Option.Some<unknown>).value
        assert.isTrue(ConfigError.isConfigError(e), `not a ConfigError for ${name}: ${String(e)}`)
        assert.isFalse(called, `the client ran a call although its layer failed (${name})`)
        assert.include(String(e), name)
      } else {
        assertTyped(exit.value.exit, exit.value.sent, name, value)
      }
    })

  it.effect("layer({ [option]: value }): a ConfigError naming it, or a client whose calls end typed", () =>
    Effect.gen(function*() {
      for (const [i, name] of names.entries()) {
        for (const value of valuesFor(11 + i, 4)) {
          yield* check({ [name]: value }, name, value)
        }
      }
    }).pipe(Effect.provide(quiet)))

  it.effect("the undici layer: a ConfigError naming the option, or a pool built and closed", () =>
    Effect.gen(function*() {
      for (const [i, name] of names.entries()) {
        for (const value of valuesFor(110 + i, 0).filter((_, k) => k % 4 === i % 4)) {
          const exit = yield* Effect.exit(Effect.scoped(Layer.build(ResilientClient.layer({ [name]: value }))))
          if (Exit.isFailure(exit)) {
            assert.isFalse(Cause.isDie(exit.cause), `a defect for ${name}: ${Cause.pretty(exit.cause)}`)
            assert.include(Cause.pretty(exit.cause), name)
          }
        }
      }
    }).pipe(Effect.provide(quiet)))

  it.effect("from the environment: any string in any variable is a ConfigError naming it, or a client", () =>
    Effect.gen(function*() {
      const variables = [
        "BASE_URL",
        "TIMEOUT",
        "DEADLINE",
        "MAX_CONNECTIONS",
        "MAX_RESPONSE_SIZE",
        "FOLLOW_REDIRECTS",
        "KEEP_ALIVE_TIMEOUT",
        "CONNECT_TIMEOUT",
        "REDACT_HEADERS",
        "TRACING",
        "CIRCUIT_BREAKER",
        "CIRCUIT_BREAKER_THRESHOLD",
        "CIRCUIT_BREAKER_MIN_THROUGHPUT",
        "CIRCUIT_BREAKER_WINDOW",
        "CIRCUIT_BREAKER_BREAK_DURATION",
        "CIRCUIT_BREAKER_BACKOFF_FACTOR",
        "CIRCUIT_BREAKER_MAX_BREAK_DURATION",
        "CIRCUIT_BREAKER_PROBES",
        "BULKHEAD",
        "BULKHEAD_MAX_CONCURRENT",
        "BULKHEAD_MAX_QUEUE",
        "BULKHEAD_QUEUE_TIMEOUT",
        "RATE_LIMITER",
        "RATE_LIMITER_LIMIT",
        "RATE_LIMITER_WINDOW",
        "RATE_LIMITER_ALGORITHM",
        "RETRY_BUDGET",
        "RETRY_BUDGET_RATIO",
        "RETRY_BUDGET_WINDOW",
        "RETRY_BUDGET_MIN_RETRIES_PER_SECOND"
      ].map((name) => `HTTP_RESILIENT_${name}`)
      const text = fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom(
          "0",
          "-1",
          "2.5",
          "NaN",
          "Infinity",
          "1e400",
          "true",
          "false",
          "10 seconds",
          "http://h.test",
          ""
        )
      )
      for (const [i, variable] of variables.entries()) {
        for (const value of fc.sample(text, { numRuns: 8, seed: 1100 + i })) {
          const provider = ConfigProvider.fromMap(new Map([[variable, value]]), { pathDelim: "_" })
          const exit = yield* Effect.exit(
            Effect.scoped(Layer.build(ResilientClient.layerConfig())).pipe(Effect.withConfigProvider(provider))
          )
          if (Exit.isFailure(exit)) {
            assert.isFalse(Cause.isDie(exit.cause), `a defect for ${variable}=${value}: ${Cause.pretty(exit.cause)}`)
            const error = Cause.failureOption(exit.cause)
            assert.isTrue(Option.isSome(error) && ConfigError.isConfigError(error.value), Cause.pretty(exit.cause))
            // the variable, or its path (HTTP_RESILIENT.CIRCUIT_BREAKER.THRESHOLD) when `Config` could not parse it
            assert.include(Cause.pretty(exit.cause).replaceAll(".", "_"), variable)
          }
        }
      }
    }).pipe(Effect.provide(quiet)))
})
