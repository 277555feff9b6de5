import { assert, describe, it } from "@effect/vitest"
import { EventEmitter } from "node:events"
import { Readable } from "node:stream"
import * as Undici from "undici"
import {
  BufferedExchange,
  canResend,
  declaredLength,
  type ExchangeRequest,
  type InFlight,
  type RawResponse,
  type UndiciBody,
  UndiciRawResponse
} from "../../src/core/exchange.js"
import type { TransportFailure } from "../../src/core/transportFailure.js"

/** A dispatcher that records what it was asked and lets the test play undici's part on the handler. */
class FakeDispatcher extends EventEmitter {
  readonly dispatched: Array<{ readonly options: Undici.Dispatcher.DispatchOptions; readonly handler: Handler }> = []
  throwing: Error | undefined = undefined
  dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Handler): boolean {
    if (this.throwing) throw this.throwing
    this.dispatched.push({ options, handler })
    return true
  }
  get last(): Handler {
    return this.dispatched[this.dispatched.length - 1].handler
  }
}
type Handler = Required<Pick<Undici.Dispatcher.DispatchHandler, "onConnect" | "onError" | "onComplete">> & {
  onHeaders(statusCode: number, rawHeaders: Array<Buffer>, resume: () => void, statusText: string): boolean
  onData(chunk: Buffer): boolean
}

/** The exchange with its result, timer calls and aborts recorded. */
class Recorded extends BufferedExchange {
  readonly results: Array<RawResponse | TransportFailure> = []
  timers = 0
  stops = 0
  protected startTimer(): void {
    this.timers++
  }
  protected stopTimer(): void {
    this.stops++
  }
  protected succeed(response: RawResponse): void {
    this.results.push(response)
  }
  protected fail(failure: TransportFailure): void {
    this.results.push(failure)
  }
}

const request = (method = "GET", maxResponseSize = 1_000): ExchangeRequest => ({
  method,
  url: new URL("http://example.test:8080/a/b?c=1"),
  headers: { accept: "*/*" },
  timeoutMillis: 5_000,
  maxResponseSize
})

const setup = (options: { method?: string; max?: number; body?: UndiciBody } = {}) => {
  const dispatcher = new FakeDispatcher()
  const inFlight: InFlight = { count: 0 }
  const exchange = new Recorded(
    request(options.method, options.max),
    dispatcher as unknown as Undici.Dispatcher,
    options.body ?? null,
    inFlight
  )
  const aborts: Array<Error | undefined> = []
  const connect = () => dispatcher.last.onConnect((reason) => aborts.push(reason))
  return { dispatcher, inFlight, exchange, aborts, connect }
}

const raw = (...pairs: Array<string>) => pairs.map((s) => Buffer.from(s, "latin1"))
const failureOf = (result: RawResponse | TransportFailure | undefined): TransportFailure => {
  assert.instanceOf(result, Object)
  assert.strictEqual((result as TransportFailure)._tag, "TransportFailure")
  return result as TransportFailure
}

describe("core/exchange", () => {
  it("declaredLength reads content-length in any case from a raw header list; absent is undefined", () => {
    assert.strictEqual(declaredLength(raw("x-a", "1", "Content-Length", "42")), 42)
    assert.strictEqual(declaredLength(raw("CONTENT-LENGTH", "7")), 7)
    assert.strictEqual(declaredLength(raw("content-type", "text/plain")), undefined)
    assert.strictEqual(declaredLength(raw("content-lengths", "9")), undefined)
  })

  it("canResend: an idempotent method with a body held in memory; a stream or POST is not resent", () => {
    assert.isTrue(canResend(request("GET"), null))
    assert.isTrue(canResend(request("PUT"), "text"))
    assert.isTrue(canResend(request("DELETE"), new Uint8Array(1)))
    assert.isFalse(canResend(request("POST"), null))
    assert.isFalse(canResend(request("PUT"), Readable.from([])))
  })

  it("UndiciRawResponse decodes its headers on first use, set-cookie apart", () => {
    const response = new UndiciRawResponse(
      200,
      "OK",
      raw("X-A", "1", "x-a", "2", "Set-Cookie", "s=1"),
      new Uint8Array(),
      "u"
    )
    assert.deepStrictEqual(response.headers, { "x-a": "1, 2" })
    assert.deepStrictEqual(response.setCookie, ["s=1"])
  })

  it("a response: request dispatched as given, 1xx skipped, chunks joined, counted in flight until it ends", () => {
    const { aborts, connect, dispatcher, exchange, inFlight } = setup()
    exchange.start()
    assert.strictEqual(inFlight.count, 1)
    assert.strictEqual(exchange.timers, 1)
    const { options } = dispatcher.dispatched[0]
    assert.deepStrictEqual(
      [options.origin, options.path, options.method, options.headers, options.body],
      ["http://example.test:8080", "/a/b?c=1", "GET", { accept: "*/*" }, null]
    )
    connect()
    const handler = dispatcher.last
    assert.isTrue(handler.onHeaders(100, raw(), () => {}, "Continue"))
    assert.isTrue(handler.onHeaders(201, raw("content-length", "6", "x-b", "y"), () => {}, "Created"))
    for (const chunk of ["ab", "cd", "ef"]) assert.isTrue(handler.onData(Buffer.from(chunk)))
    handler.onComplete([])
    assert.strictEqual(exchange.results.length, 1)
    const response = exchange.results[0] as RawResponse
    assert.deepStrictEqual(
      [response.status, response.statusText, Buffer.from(response.body).toString(), response.url, response.headers],
      [201, "Created", "abcdef", "http://example.test:8080/a/b?c=1", { "content-length": "6", "x-b": "y" }]
    )
    assert.deepStrictEqual([inFlight.count, exchange.stops, aborts.length], [0, 1, 0])
  })

  it("one chunk is the body as it came; no chunk is an empty body", () => {
    const one = setup()
    one.exchange.start()
    one.connect()
    const chunk = Buffer.from("x")
    one.dispatcher.last.onHeaders(200, raw(), () => {}, "")
    one.dispatcher.last.onData(chunk)
    one.dispatcher.last.onComplete([])
    assert.strictEqual((one.exchange.results[0] as RawResponse).body, chunk)
    const none = setup()
    none.exchange.start()
    none.dispatcher.last.onHeaders(204, raw(), () => {}, "")
    none.dispatcher.last.onComplete([])
    assert.strictEqual((none.exchange.results[0] as RawResponse).body.byteLength, 0)
  })

  it("a declared length over the limit aborts at the headers; ResponseTooLarge names the limit", () => {
    const { aborts, connect, dispatcher, exchange, inFlight } = setup({ max: 10 })
    exchange.start()
    connect()
    assert.isFalse(dispatcher.last.onHeaders(200, raw("content-length", "11"), () => {}, ""))
    assert.strictEqual(aborts.length, 1)
    dispatcher.last.onError(aborts[0]!)
    const failure = failureOf(exchange.results[0])
    assert.deepStrictEqual([failure.reason, failure.detail, inFlight.count], ["ResponseTooLarge", "limit 10", 0])
  })

  it("a body growing past the limit aborts at the chunk that passes it", () => {
    const { aborts, connect, dispatcher, exchange } = setup({ max: 4 })
    exchange.start()
    connect()
    dispatcher.last.onHeaders(200, raw(), () => {}, "")
    assert.isTrue(dispatcher.last.onData(Buffer.from("abcd")))
    assert.isFalse(dispatcher.last.onData(Buffer.from("e")))
    dispatcher.last.onError(aborts[0]!)
    assert.strictEqual(failureOf(exchange.results[0]).reason, "ResponseTooLarge")
  })

  it("a status outside 100–599 is a ProtocolError, the socket aborted", () => {
    const { aborts, connect, dispatcher, exchange } = setup()
    exchange.start()
    connect()
    assert.isFalse(dispatcher.last.onHeaders(600, raw(), () => {}, ""))
    dispatcher.last.onError(aborts[0]!)
    const failure = failureOf(exchange.results[0])
    assert.deepStrictEqual([failure.reason, failure.detail], ["ProtocolError", "invalid status 600"])
  })

  it("the attempt timeout aborts a connected exchange; it fails with Timeout once undici reports the abort", () => {
    const { aborts, connect, dispatcher, exchange, inFlight } = setup()
    exchange.start()
    connect()
    exchange.timeout()
    assert.instanceOf(aborts[0], Undici.errors.RequestAbortedError)
    assert.strictEqual(exchange.results.length, 0)
    dispatcher.last.onError(aborts[0]!)
    assert.strictEqual(failureOf(exchange.results[0]).reason, "Timeout")
    assert.strictEqual(inFlight.count, 0)
    exchange.timeout()
    assert.strictEqual(exchange.results.length, 1)
  })

  it("a timeout before undici connected ends at once; a later onConnect is aborted with the same reason", () => {
    const { aborts, connect, exchange, inFlight } = setup()
    exchange.start()
    exchange.timeout()
    assert.strictEqual(failureOf(exchange.results[0]).reason, "Timeout")
    assert.strictEqual(inFlight.count, 0)
    connect()
    assert.strictEqual(aborts[0]?.message, "attempt timeout")
  })

  it("interruption aborts the socket and gives no result; before start it was never counted", () => {
    const started = setup()
    started.exchange.start()
    started.connect()
    started.exchange.interrupt()
    assert.deepStrictEqual([started.aborts[0]?.message, started.inFlight.count, started.exchange.stops], [
      "interrupted",
      0,
      1
    ])
    started.dispatcher.last.onError(started.aborts[0]!)
    assert.strictEqual(started.exchange.results.length, 0)
    const early = setup()
    early.exchange.interrupt()
    assert.strictEqual(early.inFlight.count, 0)
  })

  it("a dispatcher that throws fails the exchange with the classified error", () => {
    const { dispatcher, exchange, inFlight } = setup()
    dispatcher.throwing = new Undici.errors.InvalidArgumentError("invalid method")
    exchange.start()
    const failure = failureOf(exchange.results[0])
    assert.deepStrictEqual([failure.reason, failure.invalid, inFlight.count], ["InvalidRequest", "InvalidMethod", 0])
  })

  it("a reset before any response byte on a reused socket is sent once more, at once; a second reset fails", () => {
    const { connect, dispatcher, exchange } = setup({ body: "payload", method: "PUT" })
    exchange.start()
    connect()
    dispatcher.last.onError(new Undici.errors.SocketError("other side closed"))
    assert.strictEqual(dispatcher.dispatched.length, 2)
    assert.strictEqual(dispatcher.dispatched[1].options.body, "payload")
    assert.strictEqual(exchange.results.length, 0)
    dispatcher.last.onError(new Undici.errors.SocketError("other side closed"))
    assert.strictEqual(dispatcher.dispatched.length, 2)
    const failure = failureOf(exchange.results[0])
    assert.deepStrictEqual([failure.reason, failure.detail], ["ConnectionReset", "the server closed the connection"])
  })

  it("no resend after a new connection to the origin, after response bytes, or for a POST", () => {
    const fresh = setup()
    fresh.exchange.start()
    fresh.dispatcher.emit("connect", new URL("http://example.test:8080/"))
    fresh.dispatcher.last.onError(new Undici.errors.SocketError("reset"))
    assert.strictEqual(fresh.dispatcher.dispatched.length, 1)
    assert.strictEqual(failureOf(fresh.exchange.results[0]).reason, "ConnectionReset")

    const midway = setup()
    midway.exchange.start()
    midway.dispatcher.last.onHeaders(200, raw(), () => {}, "")
    midway.dispatcher.last.onError(new Undici.errors.SocketError("reset"))
    assert.strictEqual(midway.dispatcher.dispatched.length, 1)

    const hinted = setup()
    hinted.exchange.start()
    hinted.dispatcher.last.onHeaders(103, raw("link", "</a.css>"), () => {}, "Early Hints")
    hinted.dispatcher.last.onError(new Undici.errors.SocketError("reset"))
    assert.strictEqual(hinted.dispatcher.dispatched.length, 2, "an informational response is no response byte")

    const post = setup({ method: "POST" })
    post.exchange.start()
    post.dispatcher.last.onError(new Undici.errors.SocketError("reset"))
    assert.strictEqual(post.dispatcher.dispatched.length, 1)
    assert.strictEqual(failureOf(post.exchange.results[0]).reason, "ConnectionReset")
  })
})
