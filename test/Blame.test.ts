/**
 * Who is to blame (DESIGN "Security rules"): an error the request itself causes is an `InvalidRequestError` — not
 * transient, not counted by the circuit breaker, no retry budget spent; a server's protocol violation is a
 * `TransportError` with reason `ProtocolError`, not transient; every error code undici defines is mapped on purpose.
 */
import { FetchHttpClient, HttpBody, HttpClient, HttpClientError } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Layer, Stream } from "effect"
import * as Undici from "undici"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  HttpResilientError,
  ResilientClient,
  RetryBudget,
  RetryPolicy,
  Transport
} from "../src/index.js"
import { rawServerScoped } from "./support/rawServer.js"
import { serverScoped } from "./support/server.js"

type Expected = readonly [reason: string, invalid?: string]

/** Every class undici 7 exports in `errors` and `mockErrors`, built as undici builds it, and what it must become. */
const undiciClasses: Record<string, readonly [build: () => Error, expected: Expected]> = {
  UndiciError: [() => new Undici.errors.UndiciError("No snapshot found for GET /"), [
    "InvalidRequest",
    "InvalidOption"
  ]],
  ConnectTimeoutError: [() => new Undici.errors.ConnectTimeoutError(), ["ConnectTimeout"]],
  HeadersTimeoutError: [() => new Undici.errors.HeadersTimeoutError(), ["HeadersTimeout"]],
  HeadersOverflowError: [() => new Undici.errors.HeadersOverflowError(), ["ProtocolError"]],
  BodyTimeoutError: [() => new Undici.errors.BodyTimeoutError(), ["BodyTimeout"]],
  InvalidArgumentError: [
    () => new Undici.errors.InvalidArgumentError("invalid keep-alive header"),
    ["InvalidRequest", "InvalidHeader"]
  ],
  InvalidReturnValueError: [
    () => new Undici.errors.InvalidReturnValueError("expected Readable"),
    ["InvalidRequest", "InvalidOption"]
  ],
  AbortError: [() => new (Undici.errors as any).AbortError(), ["Aborted"]],
  RequestAbortedError: [() => new Undici.errors.RequestAbortedError(), ["Aborted"]],
  InformationalError: [() => new Undici.errors.InformationalError("reset"), ["ConnectionReset"]],
  RequestContentLengthMismatchError: [
    () => new Undici.errors.RequestContentLengthMismatchError(),
    ["InvalidRequest", "InvalidBody"]
  ],
  ResponseContentLengthMismatchError: [
    () => new Undici.errors.ResponseContentLengthMismatchError(),
    ["ConnectionReset"]
  ],
  ClientDestroyedError: [() => new Undici.errors.ClientDestroyedError(), ["Aborted"]],
  ClientClosedError: [() => new Undici.errors.ClientClosedError(), ["Aborted"]],
  SocketError: [() => new Undici.errors.SocketError("other side closed"), ["ConnectionReset"]],
  NotSupportedError: [
    () => new Undici.errors.NotSupportedError("expect header not supported"),
    ["InvalidRequest", "InvalidHeader"]
  ],
  BalancedPoolMissingUpstreamError: [
    () => new Undici.errors.BalancedPoolMissingUpstreamError(),
    ["InvalidRequest", "InvalidOption"]
  ],
  HTTPParserError: [
    () => new (Undici.errors.HTTPParserError as any)("Invalid response status", "INVALID_STATUS"),
    ["ProtocolError"]
  ],
  ResponseExceededMaxSizeError: [() => new Undici.errors.ResponseExceededMaxSizeError(), ["ResponseTooLarge"]],
  RequestRetryError: [
    () => new (Undici.errors.RequestRetryError as any)("Request failed", 503, { headers: {}, data: { count: 3 } }),
    ["Unknown"]
  ],
  ResponseError: [
    () => new Undici.errors.ResponseError("Response Error", 502, { headers: {}, body: "" }),
    ["Unknown"]
  ],
  SecureProxyConnectionError: [() => new (Undici.errors.SecureProxyConnectionError as any)(), ["TlsFailure"]],
  MaxOriginsReachedError: [() => new Undici.errors.MaxOriginsReachedError(), ["InvalidRequest", "InvalidOption"]],
  Socks5ProxyError: [
    () => new (Undici.errors as any).Socks5ProxyError("SOCKS5 connection failed: Connection refused"),
    ["ConnectionRefused"]
  ],
  MessageSizeExceededError: [() => new (Undici.errors as any).MessageSizeExceededError(), ["ResponseTooLarge"]],
  MockNotMatchedError: [
    () => new Undici.mockErrors.MockNotMatchedError("no match"),
    ["InvalidRequest", "InvalidOption"]
  ]
}

/** What the undici transport fails with when its dispatcher rejects a request with `error`. */
const failureOf = (error: unknown): Effect.Effect<Transport.TransportFailure> => {
  const dispatcher = { request: () => Promise.reject(error) } as unknown as Undici.Dispatcher
  return Transport.makeUndici(dispatcher).stream({
    method: "GET",
    url: new URL("http://api.test/x"),
    headers: {},
    body: HttpBody.empty,
    timeoutMillis: Infinity,
    maxResponseSize: Infinity,
    clock: Clock.make()
  }).pipe(
    Effect.scoped,
    Effect.flatMap(() => Effect.dieMessage("the transport answered")),
    Effect.flip
  )
}

const verdictOf = (error: unknown): Effect.Effect<Expected> =>
  Effect.map(
    failureOf(error),
    (failure): Expected => failure.reason === "InvalidRequest" ? [failure.reason, failure.invalid!] : [failure.reason]
  )

describe("every undici error is mapped on purpose", () => {
  it("the table covers every class undici exports", () => {
    const exported = [...Object.keys(Undici.errors), ...Object.keys(Undici.mockErrors)].sort()
    assert.deepStrictEqual(exported, Object.keys(undiciClasses).sort())
  })

  for (const [name, [build, expected]] of Object.entries(undiciClasses)) {
    it.effect(`${name} → ${expected.join(" ")}`, () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* verdictOf(build()), expected)
      }))
  }

  it.effect("each undici code is examined: none falls to Unknown but the two that carry the server's status", () =>
    Effect.gen(function*() {
      for (const [name, [build]] of Object.entries(undiciClasses)) {
        const failure = yield* failureOf(build())
        if (name === "RequestRetryError" || name === "ResponseError") {
          assert.match(failure.detail ?? "", /^status 50\d$/, name)
        } else assert.notStrictEqual(failure.reason, "Unknown", name)
      }
    }))

  it.effect("SOCKS5 codes: credentials refused is the request's fault, a proxy that speaks no SOCKS5 a protocol error", () =>
    Effect.gen(function*() {
      const socks = (code: string) => new (Undici.errors as any).Socks5ProxyError("x", code)
      assert.deepStrictEqual(yield* verdictOf(socks("UND_ERR_SOCKS5_AUTH_FAILED")), ["InvalidRequest", "InvalidOption"])
      assert.deepStrictEqual(yield* verdictOf(socks("UND_ERR_SOCKS5_VERSION")), ["ProtocolError"])
      assert.deepStrictEqual(yield* verdictOf(socks("UND_ERR_SOCKS5_REPLY_5")), ["ConnectionRefused"])
    }))

  it.effect("undici's refusals name what was refused: header, URL, method, body", () =>
    Effect.gen(function*() {
      const invalid = (message: string) => verdictOf(new Undici.errors.InvalidArgumentError(message))
      assert.deepStrictEqual(yield* invalid("invalid transfer-encoding header"), ["InvalidRequest", "InvalidHeader"])
      assert.deepStrictEqual(yield* invalid("Invalid URL protocol: the URL must start with `http:` or `https:`."), [
        "InvalidRequest",
        "InvalidUrl"
      ])
      assert.deepStrictEqual(yield* invalid("invalid request method"), ["InvalidRequest", "InvalidMethod"])
      assert.deepStrictEqual(
        yield* invalid("body must be a string, a Buffer, a Readable stream, an iterable, or an async iterable"),
        ["InvalidRequest", "InvalidBody"]
      )
    }))

  it.effect("a code that is an Object property name (constructor, __proto__) is Unknown, not a crash", () =>
    Effect.gen(function*() {
      for (const code of ["constructor", "__proto__", "toString"]) {
        assert.deepStrictEqual(yield* verdictOf(Object.assign(new Error("odd"), { code })), ["Unknown"], code)
      }
    }))

  it.effect("InformationalError from undici's DNS interceptor is a DNS failure", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* verdictOf(new Undici.errors.InformationalError("No DNS entries found")), [
        "DnsFailure"
      ])
    }))

  it("a protocol error is not transient", () => {
    const error = new HttpResilientError.TransportError({ method: "GET", url: "", attempt: 1, reason: "ProtocolError" })
    assert.isFalse(HttpResilientError.isTransient(error))
    assert.isFalse(HttpResilientError.isRetryable(error, "GET"))
  })
})

const lengthMismatch = (url: string) => HttpResilient.put(url, { text: "hello", headers: { "content-length": "100" } })

describe("the request's fault, over a real server", () => {
  it.scopedLive("a PUT whose body is shorter than its content-length is an InvalidRequestError, not retried", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      const error = yield* Effect.flip(lengthMismatch(server.url).pipe(Effect.retry(RetryPolicy.default)))
      assert.strictEqual(error._tag, "InvalidRequestError", error.message)
      if (error._tag !== "InvalidRequestError") return
      assert.strictEqual(error.reason, "InvalidBody")
      assert.strictEqual(error.attempt, 1)
      assert.isFalse(HttpResilientError.isTransient(error))
      assert.strictEqual(server.count(), 0, "nothing reached the server")
    }).pipe(Effect.provide(Layer.orDie(ResilientClient.layer({})))))

  it.scopedLive(
    "length-mismatch PUTs beyond the breaker's threshold leave it closed, spend no retry budget, and a GET succeeds",
    () =>
      Effect.gen(function*() {
        const server = yield* serverScoped((_req, res) => res.end("ok"))
        const budget = yield* RetryBudget.available
        const policy = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("1 millis") })
        for (let i = 0; i < 5; i++) {
          const error = yield* Effect.flip(lengthMismatch(server.url).pipe(Effect.retry(policy)))
          assert.strictEqual(error._tag, "InvalidRequestError", error.message)
        }
        assert.strictEqual(yield* ResilientClient.circuitState(server.url), "closed")
        assert.strictEqual(yield* RetryBudget.available, budget)
        const response = yield* HttpResilient.get(server.url)
        assert.strictEqual(response.status, 200)
      }).pipe(
        Effect.provide(Layer.orDie(ResilientClient.layer({
          circuitBreaker: CircuitBreaker.consecutive(3),
          retryBudget: { ratio: 0, minRetriesPerSecond: 1, window: "10 seconds" }
        })))
      )
  )

  it.scopedLive("headers undici refuses (expect, keep-alive, upgrade, transfer-encoding) are InvalidRequestError", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => res.end("ok"))
      for (
        const [name, value] of [
          ["expect", "100-continue"],
          ["keep-alive", "timeout=5"],
          ["upgrade", "websocket"],
          ["transfer-encoding", "chunked"]
        ]
      ) {
        const error = yield* Effect.flip(
          HttpResilient.get(server.url, { headers: { [name]: value } }).pipe(Effect.retry(RetryPolicy.default))
        )
        assert.strictEqual(error._tag, "InvalidRequestError", `${name}: ${error.message}`)
        assert.strictEqual(error._tag === "InvalidRequestError" && error.reason, "InvalidHeader", name)
        assert.strictEqual(error.attempt, 1, name)
      }
      assert.strictEqual(server.count(), 0)
    }).pipe(Effect.provide(Layer.orDie(ResilientClient.layer({})))))
})

const overUndici = Layer.orDie(ResilientClient.layer({ circuitBreaker: CircuitBreaker.consecutive(100) }))
const overFetch = Layer.orDie(ResilientClient.layerFromHttpClient({})).pipe(Layer.provide(FetchHttpClient.layer))

describe("the server's protocol violations, over a real server: ProtocolError, not retried", () => {
  const responses: Record<string, string> = {
    "headers over undici's limit": `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`,
    "an invalid status line (999x)": "HTTP/1.1 999x Nope\r\nContent-Length: 0\r\n\r\n",
    "a status above 599 (999)": "HTTP/1.1 999 Nope\r\nContent-Length: 0\r\n\r\n",
    "a status below 100 (099)": "HTTP/1.1 099 Nope\r\nContent-Length: 0\r\n\r\n"
  }
  for (const [what, response] of Object.entries(responses)) {
    for (const [transport, layer] of [["undici", overUndici], ["fetch", overFetch]] as const) {
      it.scopedLive(`${what} (${transport})`, () =>
        Effect.gen(function*() {
          const server = yield* rawServerScoped((socket) => socket.end(response))
          const error = yield* Effect.flip(HttpResilient.get(server.url).pipe(Effect.retry(RetryPolicy.default)))
          assert.strictEqual(error._tag, "TransportError", error.message)
          assert.strictEqual(error._tag === "TransportError" && error.reason, "ProtocolError", error.message)
          assert.isFalse(HttpResilientError.isTransient(error))
          assert.strictEqual(server.requests.length, 1, "not retried")
        }).pipe(Effect.provide(layer)))
    }
  }

  it.scopedLive("a stream whose status is invalid fails the same way", () =>
    Effect.gen(function*() {
      const server = yield* rawServerScoped((socket) => socket.end(responses["a status above 599 (999)"]))
      const error = yield* Effect.flip(Stream.runDrain(HttpResilient.stream(server.url, { retry: false })))
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ProtocolError", error.message)
    }).pipe(Effect.provide(overUndici)))
})

describe("over a platform HttpClient, the same rule", () => {
  const failingWith = (reason: "Encode" | "InvalidUrl") => {
    let calls = 0
    const layer = Layer.orDie(ResilientClient.layerFromHttpClient({})).pipe(
      Layer.provide(Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request) => {
          calls++
          return Effect.fail(new HttpClientError.RequestError({ request, reason, cause: new Error("refused") }))
        })
      ))
    )
    return { layer, calls: () => calls }
  }

  for (
    const [reason, expected] of [["Encode", "InvalidBody"], ["InvalidUrl", "InvalidUrl"]] as const
  ) {
    it.effect(`the platform's own ${reason} request error is an InvalidRequestError ${expected}, not retried`, () => {
      const platform = failingWith(reason)
      return Effect.gen(function*() {
        const error = yield* Effect.flip(
          HttpResilient.put("http://api.test/x?token=QSECRET", { text: "x" }).pipe(Effect.retry(RetryPolicy.default))
        )
        assert.strictEqual(error._tag, "InvalidRequestError", error.message)
        assert.strictEqual(error._tag === "InvalidRequestError" && error.reason, expected)
        assert.notInclude(JSON.stringify(error), "QSECRET")
        assert.strictEqual(platform.calls(), 1)
      }).pipe(Effect.provide(platform.layer))
    })
  }
})
