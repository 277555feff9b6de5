/**
 * The one place that touches the network in the v4 edition: the core's undici exchange (src/core/exchange.ts) run
 * as a v4 `Effect.callback`; interrupting the fiber aborts the socket. The attempt timeout is the exchange's own
 * timer (`timeoutMillis`, on real time, as the root entry's), which the send stage uses when the fiber's clock is
 * the real one; under another clock (a `TestClock`) it passes no timeout and runs `send` under an Effect timeout.
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Undici from "undici"
import { ACCEPT_ENCODING } from "../../../src/core/decompress.js"
import {
  BufferedExchange,
  type ExchangeRequest,
  type InFlight,
  type RawResponse,
  type UndiciBody
} from "../../../src/core/exchange.js"
import { closeGracefully, connectOptionsOf, type Lookup, newAgent, type TlsOptions } from "../../../src/core/pool.js"
import { newProxyAgent, type ProxySettings } from "../../../src/core/proxy.js"
import { bodyFailure, countInFlight, type OpenedResponse, openStreamed } from "../../../src/core/streamedExchange.js"
import type { StreamingHead } from "../../../src/core/streaming.js"
import { TIMEOUT, TransportFailure } from "../../../src/core/transportFailure.js"
import { classifyError } from "../../../src/core/undiciErrors.js"
import { makeWarmPool, type WarmPool } from "../../../src/core/warmPool.js"
import { isInMemory, type OutgoingBody, toUndici } from "./body.js"

/**
 * A request as a transport takes it: URL parsed, headers lower-case (body headers set), the body as the stages
 * carry it (in memory, a multipart form, a one-shot stream).
 * @internal
 */
export interface TransportRequest extends ExchangeRequest {
  readonly body: OutgoingBody
}

/**
 * A response whose head arrived, its body streamed with backpressure as it is read from the socket.
 * @internal
 */
export interface StreamingResponse extends StreamingHead {
  readonly body: Stream.Stream<Uint8Array, TransportFailure>
}

/**
 * A transport: one buffered exchange per call, or one whose body stays in the socket (the scope owns it).
 * @internal
 */
export interface Transport {
  readonly send: (request: TransportRequest) => Effect.Effect<RawResponse, TransportFailure>
  /** One exchange whose body is streamed with backpressure, under `request.timeoutMillis` for the head. */
  readonly stream: (request: TransportRequest) => Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope>
  /** opens sockets to `origin` ahead of demand; only the client's own pool can */
  readonly warmUp?: ((origin: URL, connections: number) => Effect.Effect<void, TransportFailure>) | undefined
  /** what the client uses instead of its own pool (for `warmUp`'s error) @default "another transport" */
  readonly uses?: string | undefined
  /**
   * The transport ends a request with a `Timeout` failure once its `timeoutMillis` of real time have passed; without
   * it, the send stage runs `send` under an Effect timeout (on the fiber's clock).
   */
  readonly timesOut?: boolean | undefined
  /** the codings it decodes when a request asks (`decompress`), as an `Accept-Encoding` value; none: it cannot */
  readonly acceptEncoding?: string | undefined
}

/** The largest delay `setTimeout` takes. */
const maxTimeout = 2_147_483_647

const onTimeout = (exchange: Exchange) => exchange.timeout()

class Exchange extends BufferedExchange<TransportRequest> {
  resume: (effect: Effect.Effect<RawResponse, TransportFailure>) => void = () => {}
  private timer: ReturnType<typeof setTimeout> | undefined = undefined
  protected startTimer(): void {
    const millis = this.request.timeoutMillis
    if (Number.isFinite(millis)) this.timer = setTimeout(onTimeout, Math.max(0, Math.min(millis, maxTimeout)), this)
  }
  protected stopTimer(): void {
    if (this.timer === undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
  }
  protected succeed(response: RawResponse): void {
    this.resume(Effect.succeed(response))
  }
  protected fail(failure: TransportFailure): void {
    this.resume(Effect.fail(failure))
  }
}

/** One buffered exchange over `dispatcher`; interrupting the fiber aborts the socket. */
const sendOver = (dispatcher: Undici.Dispatcher, inFlight: InFlight) => {
  const exchangeOf = (request: TransportRequest, body: UndiciBody) =>
    Effect.callback<RawResponse, TransportFailure>((resume) => {
      const exchange = new Exchange(request, dispatcher, body, inFlight)
      exchange.resume = resume
      exchange.start()
      return Effect.sync(() => exchange.interrupt())
    })
  return (request: TransportRequest): Effect.Effect<RawResponse, TransportFailure> => {
    const body = request.body
    if (isInMemory(body)) return exchangeOf(request, body)
    // a form or a stream: body headers on a copy, the body made as undici takes it
    return Effect.withFiber((fiber) => {
      const out = { ...request, headers: { ...request.headers } }
      return Effect.flatMap(toUndici(body, out.headers, fiber.context), (undiciBody) => exchangeOf(out, undiciBody))
    })
  }
}

/** Opens sockets to `origin` until `connections` are parked in `pool`; fails with the first connect error. */
const warmUpOver = (pool: WarmPool) => (origin: URL, connections: number): Effect.Effect<void, TransportFailure> =>
  Effect.suspend(() =>
    Effect.forEach(
      Array.from({ length: pool.missing(origin, connections) }),
      () =>
        Effect.callback<void, TransportFailure>((resume) => {
          const cancel = pool.open(
            origin,
            (error) => resume(error === undefined ? Effect.void : Effect.fail(classifyError(error)))
          )
          return Effect.sync(cancel)
        }),
      { concurrency: "unbounded", discard: true }
    )
  )

/**
 * The client's pool settings (`keepAliveTimeout`, `connectTimeout`, `headersTimeout`, `bodyTimeout`, `pipelining`,
 * `gracePeriod`, `lookup`), in milliseconds, as the client options read them.
 * @internal
 */
export interface PoolSettings {
  readonly keepAliveMillis: number
  readonly connectTimeoutMillis?: number | undefined
  readonly headersTimeoutMillis?: number | undefined
  readonly bodyTimeoutMillis?: number | undefined
  readonly pipelining?: number | undefined
  readonly graceMillis: number
  readonly lookup?: Lookup | undefined
}

/**
 * The client's own undici pool, closed (gracefully, up to `graceMillis`) with the scope, with `warmUp`'s parked
 * sockets (core/warmPool.ts) behind its connector (the same connect options: TLS, timeout, lookup; unused parked
 * sockets closed after `keepAliveMillis`); through `proxy` (resolved, src/core/proxy.ts), the core's proxy agent
 * instead, which cannot warm up.
 * @internal
 */
export const undici = (
  settings: PoolSettings & {
    readonly connections: number
    readonly tls?: TlsOptions | undefined
    readonly proxy?: ProxySettings | undefined
  }
): Effect.Effect<Transport, never, Scope.Scope> =>
  Effect.gen(function*() {
    const inFlight: InFlight = { count: 0 }
    const closing = (agent: Undici.Dispatcher) =>
      Effect.promise(() => closeGracefully(agent, settings.graceMillis, inFlight))
    const limits = {
      connections: settings.connections,
      pipelining: settings.pipelining,
      keepAliveMillis: settings.keepAliveMillis,
      headersTimeoutMillis: settings.headersTimeoutMillis,
      bodyTimeoutMillis: settings.bodyTimeoutMillis
    }
    const connect = connectOptionsOf(settings.tls, settings.lookup, settings.connectTimeoutMillis)
    const proxy = settings.proxy
    if (proxy !== undefined) {
      const agent = yield* Effect.acquireRelease(Effect.sync(() => newProxyAgent(limits, connect, proxy)), closing)
      return pooled(agent, inFlight, undefined)
    }
    const warm = yield* Effect.acquireRelease(
      Effect.sync(() => makeWarmPool(connect, settings.keepAliveMillis)),
      (pool) => Effect.sync(() => pool.close())
    )
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => newAgent({ ...limits, connect: warm.connector })),
      closing
    )
    return pooled(agent, inFlight, warm)
  })

/** The transport over the client's own pool; without `warm` (through a proxy) it cannot warm up. */
const pooled = (agent: Undici.Dispatcher, inFlight: InFlight, warm: WarmPool | undefined): Transport => ({
  timesOut: true,
  send: sendOver(agent, inFlight),
  stream: (request: TransportRequest) => streamed(agent, inFlight, request),
  warmUp: warm === undefined ? undefined : warmUpOver(warm),
  uses: warm === undefined ? "a proxy" : undefined,
  acceptEncoding: ACCEPT_ENCODING
})

/**
 * A transport over a user's undici dispatcher (an `Agent`, a `ProxyAgent`, a mock): never closed by the client.
 * @internal
 */
export const overDispatcher = (dispatcher: Undici.Dispatcher): Transport => {
  const inFlight: InFlight = { count: 0 }
  return {
    timesOut: true,
    send: sendOver(dispatcher, inFlight),
    stream: (request) => streamed(dispatcher, inFlight, request),
    uses: "a given dispatcher",
    acceptEncoding: ACCEPT_ENCODING
  }
}

/**
 * The core's streamed exchange (src/core/streamedExchange.ts) under the scope: counted in flight and its body
 * destroyed (the socket closed unless read to the end) when the scope closes; the head under `timeoutMillis`.
 */
const streamed = (
  agent: Undici.Dispatcher,
  inFlight: InFlight,
  request: TransportRequest
): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const given = request.body
    let sent = request
    let body: UndiciBody
    if (isInMemory(given)) body = given
    else {
      // a form or a stream: body headers on a copy, the body made as undici takes it
      sent = { ...request, headers: { ...request.headers } }
      body = yield* toUndici(given, sent.headers, yield* Effect.context<never>())
    }
    const controller = new AbortController()
    // counted and uncounted together with the scope (acquireRelease: no interruption between the two steps)
    yield* Effect.acquireRelease(Effect.sync(() => countInFlight(inFlight, controller)), (release) =>
      Effect.sync(release))
    const opened = yield* Effect.timeoutOrElse(
      Effect.callback<OpenedResponse, TransportFailure>((resume) => {
        openStreamed(agent, sent, body, controller.signal).then((result) => {
          resume(result instanceof TransportFailure ? Effect.fail(result) : Effect.succeed(result))
        })
        return Effect.sync(() =>
          controller.abort()
        )
      }),
      { duration: request.timeoutMillis, orElse: () => Effect.fail(TIMEOUT) }
    )
    yield* Effect.addFinalizer(() => Effect.sync(opened.close))
    return {
      status: opened.status,
      statusText: opened.statusText,
      headers: opened.headers,
      setCookie: opened.setCookie,
      url: opened.url,
      body: Stream.fromAsyncIterable(opened.body as AsyncIterable<Uint8Array>, bodyFailure)
    }
  })
