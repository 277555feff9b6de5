/**
 * The client over an `effect/http` `HttpClient` (`ResilientClient.layerFromHttpClient`, `Transport.layerHttpClient`):
 * over v4's `FetchHttpClient` against a real loopback server (real time), and over a scripted `HttpClient` where the
 * `TestClock` drives timeouts and backoffs. What both editions promise over fetch (retries and events, redirect
 * rules, refused / bad port / protocol errors, empty bodies, the size limit, warmUp, stalls) is in the shared suite
 * (test/shared/httpClient.ts).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Stream, Tracer } from "effect"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  ResilientClient,
  RetryPolicy,
  Transport
} from "effect-http-resilient/v4"
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

/** A loopback server on a free port, closed with the scope; it records what it received. */
const server = (handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) =>
  Effect.acquireRelease(
    Effect.callback<{ url: string; received: Array<Received>; close: () => void }>((resume) => {
      const received: Array<Received> = []
      const s = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          received.push({
            method: req.method!,
            url: req.url!,
            headers: req.headers,
            body: Buffer.concat(chunks).toString()
          })
          handle(req, res, received.length)
        })
      })
      s.listen(0, "127.0.0.1", () => {
        const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`
        resume(Effect.succeed({ url, received, close: () => s.close() }))
      })
    }),
    (s) => Effect.sync(() => s.close())
  )

const overFetch = (options: ResilientClient.ClientOptions = {}) =>
  Layer.orDie(ResilientClient.layerFromHttpClient(options)).pipe(Layer.provide(FetchHttpClient.layer))

const fast = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("5 millis") })

describe("over FetchHttpClient, a real loopback server", () => {
  it.live("bodies arrive as sent: json, a multipart form (fetch sets its boundary), a one-shot stream", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res) => res.writeHead(200).end("ok"))
      yield* HttpResilient.post(api.url, { json: { a: 1 } })
      const form = new FormData()
      form.append("field", "value")
      yield* HttpResilient.post(api.url, { multipart: form })
      const encoder = new TextEncoder()
      yield* HttpResilient.put(api.url, {
        stream: Stream.fromArrays([encoder.encode("ab")], [encoder.encode("cd")]),
        contentType: "text/plain"
      })
      const [json, multipart, streamed] = api.received
      assert.strictEqual(json.body, "{\"a\":1}")
      assert.strictEqual(json.headers["content-type"], "application/json")
      assert.match(multipart.headers["content-type"]!, /^multipart\/form-data; boundary=/)
      assert.include(multipart.body, "name=\"field\"")
      assert.include(multipart.body, "value")
      assert.strictEqual(streamed.body, "abcd")
      assert.strictEqual(streamed.headers["content-type"], "text/plain")
    }).pipe(Effect.scoped, Effect.provide(overFetch())))

  it.live("lines stream over fetch; the cookies of a response are sent back with cookies: true", () =>
    Effect.gen(function*() {
      const api = yield* server((req, res) => {
        if (req.url === "/login") res.writeHead(200, { "set-cookie": "sid=abc; Path=/; HttpOnly" }).end()
        else res.writeHead(200, { "content-type": "text/plain" }).end("one\ntwo\nthree\n")
      })
      yield* HttpResilient.get(`${api.url}/login`)
      const lines = yield* Stream.runCollect(HttpResilient.lines(`${api.url}/lines`))
      assert.deepStrictEqual(lines, ["one", "two", "three"])
      assert.strictEqual(api.received[1].headers.cookie, "sid=abc")
    }).pipe(Effect.scoped, Effect.provide(overFetch({ cookies: true }))))

  it.live("spans are the client's only: one HTTP GET per attempt, none from the HttpClient, no traceparent sent", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res, n) => res.writeHead(n < 2 ? 503 : 200).end())
      const names: Array<string> = []
      const tracer = Tracer.make({
        span(options) {
          names.push(options.name)
          return Tracer.nativeTracer.span(options)
        }
      })
      yield* HttpResilient.get(`${api.url}/s?token=QSECRET`).pipe(Effect.retry(fast), Effect.withTracer(tracer))
      assert.deepStrictEqual(names, ["HTTP GET", "HTTP GET"])
      assert.deepStrictEqual(api.received.map((r) => r.headers.traceparent), [undefined, undefined])
    }).pipe(Effect.scoped, Effect.provide(overFetch())))

  it.live("a FetchHttpClient.Fetch given to the layer, or to the call, is the one used, still asked for manual redirects", () =>
    Effect.gen(function*() {
      const api = yield* server((req, res) =>
        req.url === "/hop" ? res.writeHead(302, { location: "/done" }).end() : res.writeHead(200).end("done")
      )
      const seen: Array<string> = []
      const mine = (label: string) =>
        ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
          seen.push(`${label} ${init?.redirect}`)
          return globalThis.fetch(input, init)
        }) as typeof fetch
      const layer = Layer.orDie(ResilientClient.layerFromHttpClient({ followRedirects: false })).pipe(
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(Layer.succeed(FetchHttpClient.Fetch, mine("layer")))
      )
      const viaLayer = yield* HttpResilient.get(`${api.url}/hop`).pipe(Effect.provide(layer))
      assert.strictEqual(viaLayer.status, 302)
      const viaCall = yield* HttpResilient.get(`${api.url}/hop`).pipe(
        Effect.provideService(FetchHttpClient.Fetch, mine("call")),
        Effect.provide(layer)
      )
      assert.strictEqual(viaCall.status, 302)
      assert.deepStrictEqual(seen, ["layer manual", "call manual"])
    }).pipe(Effect.scoped))

  it.live("Transport.layerHttpClient under layerWithTransport is the same transport", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res) => res.writeHead(200).end("via layerHttpClient"))
      const response = yield* HttpResilient.get(api.url).pipe(
        Effect.provide(
          Layer.orDie(ResilientClient.layerWithTransport()).pipe(
            Layer.provide(Transport.layerHttpClient),
            Layer.provide(FetchHttpClient.layer)
          )
        )
      )
      assert.strictEqual(yield* response.text, "via layerHttpClient")
    }).pipe(Effect.scoped))
})

/** A client over a scripted `HttpClient`: `answer` gives each request's outcome; `calls()` counts them. */
const scripted = (
  answer: (
    request: Parameters<Parameters<typeof HttpClient.make>[0]>[0],
    n: number
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>,
  options: ResilientClient.ClientOptions = { circuitBreaker: false }
) => {
  let calls = 0
  const layer = Layer.orDie(ResilientClient.layerFromHttpClient(options)).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make((request) => answer(request, ++calls))))
  )
  return { layer, calls: () => calls }
}

const transportError = (request: any, cause?: unknown) =>
  Effect.fail(new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) }))

const reply = (request: any, status: number, body: BodyInit | null = null) =>
  Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status })))

describe("over a scripted HttpClient (TestClock)", () => {
  it.effect("an HttpClient that never answers: the attempt timeout is a TimeoutError, retried after the backoff", () => {
    const client = scripted((request, n) => n === 3 ? reply(request, 200, "late but fine") : Effect.never)
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(
        HttpResilient.get("http://api.test/x", { timeout: "2 seconds" }).pipe(
          Effect.retry(RetryPolicy.make({ retries: 3, backoff: Backoff.constant("1 second") }))
        )
      )
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual(client.calls(), 1)
      yield* TestClock.adjust("1 millis") // the first attempt times out, the backoff starts
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(client.calls(), 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(client.calls(), 2)
      yield* TestClock.adjust("3 seconds")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(yield* response.text, "late but fine")
      assert.strictEqual(client.calls(), 3)
      const alone = yield* Effect.forkChild(
        Effect.flip(HttpResilient.get("http://api.test/y", { timeout: "1 second" }))
      )
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(alone)
      assert.isTrue(error._tag === "TimeoutError" && error.scope === "attempt", error.message)
    }).pipe(Effect.provide(client.layer))
  })

  it.effect("the breaker opens over it: after 2 failures the third call is CircuitOpenError, nothing sent", () => {
    const client = scripted((request) => reply(request, 503), {
      circuitBreaker: { strategy: CircuitBreaker.consecutive(2), breakDuration: "5 seconds" }
    })
    return Effect.gen(function*() {
      yield* Effect.flip(HttpResilient.get("http://api.test/x"))
      yield* Effect.flip(HttpResilient.get("http://api.test/x"))
      const open = yield* Effect.flip(HttpResilient.get("http://api.test/x"))
      assert.strictEqual(open._tag, "CircuitOpenError")
      assert.strictEqual(client.calls(), 2)
    }).pipe(Effect.provide(client.layer))
  })

  it.effect("a failure whose cause says nothing is Unknown; one that says reset, without a code, is ConnectionReset", () =>
    Effect.gen(function*() {
      const odd = scripted((request) => transportError(request, new Error("something odd")))
      const unknown = yield* Effect.flip(HttpResilient.get("http://api.test/x").pipe(Effect.provide(odd.layer)))
      assert.strictEqual(unknown._tag === "TransportError" && unknown.reason, "Unknown")
      const hangUp = scripted((request) =>
        transportError(request, new TypeError("fetch failed", { cause: new Error("socket hang up") }))
      )
      const reset = yield* Effect.flip(HttpResilient.get("http://api.test/x").pipe(Effect.provide(hangUp.layer)))
      assert.strictEqual(reset._tag === "TransportError" && reset.reason, "ConnectionReset")
      const refused = scripted((request) =>
        transportError(
          request,
          new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) })
        )
      )
      const error = yield* Effect.flip(HttpResilient.get("http://api.test/x").pipe(Effect.provide(refused.layer)))
      assert.strictEqual(error._tag === "TransportError" && error.reason, "ConnectionRefused")
    }))

  for (
    const [reason, expected] of [
      [(request: any) => new HttpClientError.EncodeError({ request, cause: new Error("refused") }), "InvalidBody"],
      [(request: any) => new HttpClientError.InvalidUrlError({ request, cause: new Error("refused") }), "InvalidUrl"]
    ] as const
  ) {
    it.effect(`the HttpClient's own ${expected === "InvalidBody" ? "EncodeError" : "InvalidUrlError"} is an InvalidRequestError ${expected}, not retried, no secret shown`, () => {
      const client = scripted((request) =>
        Effect.fail(new HttpClientError.HttpClientError({ reason: reason(request) }))
      )
      return Effect.gen(function*() {
        const fiber = yield* Effect.forkChild(Effect.flip(
          HttpResilient.put("http://api.test/x?token=QSECRET", { text: "x" }).pipe(Effect.retry(RetryPolicy.default))
        ))
        yield* TestClock.adjust("1 minute") // time enough for every retry the policy could make
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "InvalidRequestError", error.message)
        assert.strictEqual(error._tag === "InvalidRequestError" && error.reason, expected)
        assert.notInclude(JSON.stringify(error), "QSECRET")
        assert.notInclude(error.message, "QSECRET")
        assert.strictEqual(client.calls(), 1)
      }).pipe(Effect.provide(client.layer))
    })
  }

  it.effect("a body that fails before its first byte fails the attempt (Unknown); an absent body is an empty one", () =>
    Effect.gen(function*() {
      const broken = scripted((request) =>
        reply(request, 200, new ReadableStream<Uint8Array>({ start: (c) => c.error(new Error("something odd")) }))
      )
      const error = yield* Effect.flip(HttpResilient.get("http://api.test/x").pipe(Effect.provide(broken.layer)))
      assert.strictEqual(error._tag === "TransportError" && error.reason, "Unknown")
      const empty = scripted((request) => reply(request, 204))
      const response = yield* HttpResilient.get("http://api.test/x").pipe(Effect.provide(empty.layer))
      assert.strictEqual(response.status, 204)
      assert.strictEqual(yield* response.text, "")
    }))
})
