/**
 * The client over an `effect/http` `HttpClient` (`ResilientClient.layerFromHttpClient`, `Transport.layerHttpClient`):
 * over v4's `FetchHttpClient` against a real loopback server (real time), and over a scripted `HttpClient` where the
 * `TestClock` drives timeouts and backoffs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, PubSub, Stream, Tracer } from "effect"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  ResilientClient,
  ResilientEvent,
  RetryPolicy,
  Transport
} from "effect-http-resilient/v4"
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { twoRetriesThenSuccess } from "../../test/shared/events.js"

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

/** A port nothing listens on: a server's, closed. */
const closedPort = Effect.callback<number>((resume) => {
  const s = createServer()
  s.listen(0, "127.0.0.1", () => {
    const port = (s.address() as AddressInfo).port
    s.close(() => resume(Effect.succeed(port)))
  })
})

const overFetch = (options: ResilientClient.ClientOptions = {}) =>
  Layer.orDie(ResilientClient.layerFromHttpClient(options)).pipe(Layer.provide(FetchHttpClient.layer))

const fast = RetryPolicy.make({ retries: 3, backoff: Backoff.constant("5 millis") })

describe("over FetchHttpClient, a real loopback server", () => {
  it.live("a 503, a 503, then a 200: retried, with the root's events in order, every attempt on the wire", () =>
    Effect.gen(function*() {
      const api = yield* server((_req, res, n) => res.writeHead(n < 3 ? 503 : 200).end(n < 3 ? "busy" : "done"))
      const subscription = yield* ResilientClient.subscribe
      const response = yield* HttpResilient.get(`${api.url}/x`).pipe(Effect.retry(fast))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(yield* response.text, "done")
      assert.strictEqual(api.received.length, 3)
      const events = yield* Effect.map(
        PubSub.takeUpTo(subscription, 100),
        (all) => all.map((event: ResilientEvent.ResilientEvent) => event._tag)
      )
      assert.deepStrictEqual(events, [...twoRetriesThenSuccess])
    }).pipe(Effect.scoped, Effect.provide(overFetch())))

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

  it.live("redirects follow the client's rules: followRedirects: false returns the 3xx; a loop is RedirectLoop", () =>
    Effect.gen(function*() {
      const api = yield* server((req, res) => {
        const url = new URL(req.url!, "http://x")
        if (url.pathname === "/hop") res.writeHead(302, { location: url.searchParams.get("to")! }).end()
        else if (url.pathname === "/loop-a") res.writeHead(302, { location: "/loop-b" }).end()
        else if (url.pathname === "/loop-b") res.writeHead(302, { location: "/loop-a" }).end()
        else res.writeHead(200).end(`final ${url.pathname}`)
      })
      const kept = yield* HttpResilient.get(`${api.url}/hop?to=/done`).pipe(
        Effect.provide(overFetch({ followRedirects: false }))
      )
      assert.strictEqual(kept.status, 302)
      assert.strictEqual(kept.headers.location, "/done")
      assert.strictEqual(api.received.length, 1)
      const followed = yield* HttpResilient.get(`${api.url}/hop?to=/done`)
      assert.strictEqual(yield* followed.text, "final /done")
      const loop = yield* Effect.flip(HttpResilient.get(`${api.url}/loop-a`))
      assert.strictEqual(loop._tag === "TransportError" && loop.reason, "RedirectLoop")
    }).pipe(Effect.scoped, Effect.provide(overFetch({ circuitBreaker: false }))))

  it.live("a redirect to another origin drops the secret headers; fetch never follows one itself", () =>
    Effect.gen(function*() {
      const target = yield* server((_req, res) => res.writeHead(200).end("landed"))
      const origin = yield* server((_req, res) => res.writeHead(307, { location: `${target.url}/there` }).end())
      const response = yield* HttpResilient.get(`${origin.url}/here`, {
        headers: { authorization: "Bearer ASECRET", "x-mine": "HSECRET", accept: "text/plain" }
      })
      assert.strictEqual(yield* response.text, "landed")
      const landed = target.received[0]
      assert.strictEqual(landed.headers.authorization, undefined)
      assert.strictEqual(landed.headers["x-mine"], undefined)
      assert.strictEqual(landed.headers.accept, "text/plain")
      assert.strictEqual(origin.received[0].headers.authorization, "Bearer ASECRET")
    }).pipe(Effect.scoped, Effect.provide(overFetch({ redactHeaders: ["x-mine"] }))))

  it.live("a refused connection is ConnectionRefused; a port fetch refuses (1) is an InvalidRequestError, not retried", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const refused = yield* Effect.flip(HttpResilient.get(`http://127.0.0.1:${port}/`))
      assert.strictEqual(refused._tag === "TransportError" && refused.reason, "ConnectionRefused")
      const bad = yield* Effect.flip(HttpResilient.get("http://127.0.0.1:1/x").pipe(Effect.retry(RetryPolicy.default)))
      assert.strictEqual(bad._tag, "InvalidRequestError")
      if (bad._tag !== "InvalidRequestError") return
      assert.strictEqual(bad.reason, "InvalidOption")
      assert.match(bad.detail, /fetch refuses port 1\b/)
      assert.strictEqual(bad.attempt, 1)
    }).pipe(Effect.provide(overFetch({ circuitBreaker: false }))))

  it.live("a stalled head and a stalled body time out the attempt on real time (TimeoutError, scope attempt)", () =>
    Effect.gen(function*() {
      const api = yield* server((req, res) => {
        if (req.url === "/body") {
          res.writeHead(200, { "content-length": "10" })
          res.write("12345") // and never the rest
        } // "/head": never answers
      })
      const started = Date.now()
      for (const path of ["/head", "/body"]) {
        const error = yield* Effect.flip(HttpResilient.get(`${api.url}${path}`, { timeout: "300 millis" }))
        assert.isTrue(error._tag === "TimeoutError" && error.scope === "attempt", `${path}: ${error.message}`)
      }
      assert.isBelow(Date.now() - started, 10_000)
    }).pipe(Effect.scoped, Effect.provide(overFetch())))

  it.live("a HEAD and a 204 succeed with an empty body; a body over maxResponseSize is ResponseTooLarge", () =>
    Effect.gen(function*() {
      const api = yield* server((req, res) => {
        res.statusCode = req.url === "/none" ? 204 : 200
        if (req.url === "/big") res.end("x".repeat(2048))
        else {
          res.setHeader("content-length", "5")
          res.end(req.method === "HEAD" || req.url === "/none" ? undefined : "hello")
        }
      })
      const head = yield* HttpResilient.head(api.url)
      assert.strictEqual(head.status, 200)
      assert.strictEqual(yield* head.text, "")
      const none = yield* HttpResilient.get(`${api.url}/none`)
      assert.strictEqual(none.status, 204)
      assert.strictEqual(yield* none.text, "")
      const big = yield* Effect.flip(HttpResilient.get(`${api.url}/big`))
      assert.strictEqual(big._tag === "TransportError" && big.reason, "ResponseTooLarge")
    }).pipe(Effect.scoped, Effect.provide(overFetch({ maxResponseSize: 1024 }))))

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

  it.live("warmUp is an InvalidRequestError naming the HttpClient; Transport.layerHttpClient is the same transport", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ResilientClient.warmUp("http://127.0.0.1:1", 1))
      assert.isTrue(error._tag === "InvalidRequestError" && error.detail.includes("an HttpClient"), error.message)
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
    }).pipe(Effect.scoped, Effect.provide(overFetch())))
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
