/**
 * The undici transport's Effect face: the exchange of src/core/exchange.ts run as an `Effect.async`, the streamed
 * exchange, request bodies as undici takes them, and the layers over the client's own pool or a given dispatcher.
 * @internal
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { Readable } from "node:stream"
import type * as Undici from "undici"
import { encodeMultipart } from "../../core/bodies.js"
import { ACCEPT_ENCODING } from "../../core/decompress.js"
import { BufferedExchange, type InFlight, type RawResponse, type UndiciBody } from "../../core/exchange.js"
import { closeGracefully, defaultGraceMillis } from "../../core/pool.js"
import { bodyFailure, countInFlight, type OpenedResponse, openStreamed } from "../../core/streamedExchange.js"
import { TIMEOUT, TransportFailure } from "../../core/transportFailure.js"
import { classifyError } from "../../core/undiciErrors.js"
import { schedule, startTimer, stopTimer, type TimerHandle } from "../timer.js"
import * as WarmUp from "../warmUp.js"
import { connectOptionsOf, keepAliveMillis, makeAgent, makeProxyAgent, type UndiciPoolOptions } from "./pool.js"
import {
  type Restore,
  type StreamingResponse,
  Transport,
  type TransportRequest,
  type TransportService,
  warmUpUnsupported,
  withSendMapped
} from "./service.js"

/**
 * A request body as undici takes it, its `content-type` / `content-length` set on `headers` where missing; a form is
 * encoded first (an effect).
 */
const bodyForUndici = (
  body: HttpBody.HttpBody,
  headers: Record<string, string>
): UndiciBody | Effect.Effect<Readable | Uint8Array> => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      if (headers["content-type"] === undefined) headers["content-type"] = body.contentType
      if (headers["content-length"] === undefined) headers["content-length"] = String(body.body.byteLength)
      return body.body
    case "Raw": {
      if (body.contentType !== undefined && headers["content-type"] === undefined) {
        headers["content-type"] = body.contentType
      }
      return body.body as any
    }
    case "FormData": {
      const encoded = encodeMultipart(body.formData)
      if (encoded.contentType !== undefined) headers["content-type"] = encoded.contentType
      return Effect.promise(() => encoded.bytes)
    }
    case "Stream": {
      if (headers["content-type"] === undefined) headers["content-type"] = body.contentType
      if (body.contentLength !== undefined && headers["content-length"] === undefined) {
        headers["content-length"] = String(body.contentLength)
      }
      return NodeStream.toReadableNever(body.stream as Stream.Stream<Uint8Array, never>) as any
    }
  }
}

const onAttemptTimeout = (exchange: BufferedExchange<TransportRequest>) => exchange.timeout()
const ignoreResume = () => {}

/**
 * The core's buffered exchange as an `Effect.async` registration: the attempt timer runs on the request's clock,
 * the result resumes the fiber. It carries the caller's failure mapping (`SendMapped`) and its context, so that its
 * failure handler is one function over the exchange (no separate closure context kept across the wait).
 */
class Exchange<E, C> extends BufferedExchange<TransportRequest> {
  private timer: TimerHandle = undefined
  private resume: (effect: Effect.Effect<RawResponse, TransportFailure>) => void = ignoreResume

  constructor(
    request: TransportRequest,
    dispatcher: Undici.Dispatcher,
    body: UndiciBody,
    inFlight: InFlight,
    private readonly mapFailure: ((failure: TransportFailure, request: TransportRequest, context: C) => E) | undefined,
    private readonly context: C | undefined
  ) {
    super(request, dispatcher, body, inFlight)
  }

  /** The `Effect.async` registration: starts the timer and the exchange. */
  readonly register = (resume: (effect: Effect.Effect<RawResponse, TransportFailure>) => void): void => {
    this.resume = resume
    this.start()
  }

  /**
   * The failure handler around the registration: aborts the socket when the fiber was interrupted, and maps a
   * failure for a caller that asked.
   */
  readonly onFailure = (cause: Cause.Cause<TransportFailure>): Effect.Effect<never, E> => {
    if (Cause.isInterrupted(cause)) this.interrupt()
    const mapFailure = this.mapFailure
    if (mapFailure === undefined) return Effect.failCause(cause as Cause.Cause<E>)
    const failure = Cause.failureOrCause(cause)
    return failure._tag === "Left"
      ? Effect.fail(mapFailure(failure.left, this.request, this.context as C))
      : Effect.failCause(failure.right)
  }

  /**
   * The exchange inside an uninterruptible region whose `restore` is given: its wait interruptible through it, its
   * one failure handler in the region.
   */
  within(restore: Restore): Effect.Effect<RawResponse, E> {
    return Effect.catchAllCause(restore(Effect.async<RawResponse, TransportFailure>(this.register)), this.onFailure)
  }

  protected startTimer(): void {
    this.timer = startTimer(this.request.clock, this.request.timeoutMillis, onAttemptTimeout, this)
  }

  protected stopTimer(): void {
    stopTimer(this.timer)
  }

  protected succeed(response: RawResponse): void {
    this.resume(Effect.succeed(response))
  }

  protected fail(failure: TransportFailure): void {
    this.resume(Effect.fail(failure))
  }
}

/**
 * One exchange over an undici dispatcher, body buffered.
 */
const dispatchBuffered = <E = TransportFailure, C = unknown>(
  dispatcher: Undici.Dispatcher,
  request: TransportRequest,
  body: UndiciBody,
  inFlight: InFlight,
  mapFailure?: (failure: TransportFailure, request: TransportRequest, context: C) => E,
  context?: C,
  restore?: Restore
): Effect.Effect<RawResponse, E> => {
  // the same as `Effect.async` with a canceler, in fewer steps: the exchange runs interruptibly inside an
  // uninterruptible region whose one failure handler aborts the socket when the fiber was interrupted (and maps
  // the failure for a caller that asked: `SendMapped`); a failure handler only: nothing runs on success. A caller
  // already inside such a region gives its `restore` (`SendMapped`), and no second region is opened; the effect
  // is then run once, at once, so the exchange is made now (it starts only when the wait begins)
  if (restore !== undefined) {
    return new Exchange(request, dispatcher, body, inFlight, mapFailure, context).within(restore)
  }
  return Effect.uninterruptibleMask((restore) =>
    new Exchange(request, dispatcher, body, inFlight, mapFailure, context).within(restore)
  )
}

/**
 * One exchange over an undici dispatcher whose body is streamed with backpressure; the scope owns the socket.
 */
const dispatchStreamed = (
  dispatcher: Undici.Dispatcher,
  request: TransportRequest,
  inFlight: InFlight
): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const headers = request.headers
    const prepared = bodyForUndici(request.body, headers)
    const body = prepared !== null && Effect.isEffect(prepared) ? yield* prepared : prepared
    const controller = new AbortController()
    // counted and uncounted together with the scope (acquireRelease: no interruption between the two steps)
    yield* Effect.acquireRelease(Effect.sync(() => countInFlight(inFlight, controller)), (release) =>
      Effect.sync(release))
    const response = yield* Effect.async<OpenedResponse, TransportFailure>((resume) => {
      const cancelTimer = schedule(request.clock, request.timeoutMillis, () => {
        controller.abort()
        resume(Effect.fail(TIMEOUT))
      })
      openStreamed(dispatcher, request, body, controller.signal).then((opened) => {
        cancelTimer()
        resume(opened instanceof TransportFailure ? Effect.fail(opened) : Effect.succeed(opened))
      })
      return Effect.sync(() => {
        cancelTimer()
        controller.abort()
      })
    })
    yield* Effect.addFinalizer(() =>
      Effect.sync(response.close)
    )
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      setCookie: response.setCookie,
      url: response.url,
      body: NodeStream.fromReadable<TransportFailure, Uint8Array>(() => response.body, bodyFailure)
    }
  })

/** @internal */
export const makeUndiciTransport = (
  dispatcher: Undici.Dispatcher,
  warm?: WarmUp.WarmPool,
  inFlight: InFlight = { count: 0 },
  /** what the client uses instead of its own pool, when `warm` is absent (for warmUp's error) */
  instead = "a given dispatcher"
): TransportService => {
  const sendMapped = <E = TransportFailure, C = unknown>(
    request: TransportRequest,
    mapFailure?: (failure: TransportFailure, request: TransportRequest, context: C) => E,
    context?: C,
    restore?: Restore
  ): Effect.Effect<RawResponse, E> => {
    if (request.body._tag === "Empty") {
      return dispatchBuffered(dispatcher, request, null, inFlight, mapFailure, context, restore)
    }
    // body headers go on a copy: the caller's headers are left as they were
    const withBodyHeaders = { ...request, headers: { ...request.headers } }
    const body = bodyForUndici(request.body, withBodyHeaders.headers)
    if (body !== null && Effect.isEffect(body)) {
      // encoding a form is a wait too: interruptible as the exchange's
      return Effect.flatMap(
        restore === undefined ? body : restore(body),
        (b) => dispatchBuffered(dispatcher, withBodyHeaders, b, inFlight, mapFailure, context, restore)
      )
    }
    return dispatchBuffered(dispatcher, withBodyHeaders, body as UndiciBody, inFlight, mapFailure, context, restore)
  }
  const send = withSendMapped((request) => sendMapped(request), sendMapped)

  const stream = (request: TransportRequest): Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope> =>
    dispatchStreamed(dispatcher, request, inFlight)

  const warmUp = (origin: URL, connections: number): Effect.Effect<void, TransportFailure> =>
    warm === undefined
      ? warmUpUnsupported(instead)
      : Effect.mapError(warm.warm(origin, connections), classifyError)

  return { send, stream, warmUp, acceptEncoding: ACCEPT_ENCODING }
}

const graceMillis = (options: UndiciPoolOptions): number =>
  options.gracePeriod === undefined ? defaultGraceMillis : Duration.toMillis(Duration.decode(options.gracePeriod))

/** @internal */
export const layerUndici = (options: UndiciPoolOptions = {}): Layer.Layer<Transport> =>
  Layer.scoped(
    Transport,
    Effect.gen(function*() {
      const proxy = options.proxy
      if (proxy !== undefined) {
        const inFlight: InFlight = { count: 0 }
        const agent = yield* Effect.acquireRelease(
          Effect.sync(() => makeProxyAgent(options, proxy)),
          (agent) => Effect.promise(() => closeGracefully(agent, graceMillis(options), inFlight))
        )
        return makeUndiciTransport(agent, undefined, inFlight, "a proxy")
      }
      const warm = yield* Effect.acquireRelease(
        Effect.sync(() => WarmUp.make(connectOptionsOf(options), keepAliveMillis(options))),
        (pool) => Effect.sync(() => pool.close())
      )
      const inFlight: InFlight = { count: 0 }
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => makeAgent(options, warm.connector)),
        (agent) => Effect.promise(() => closeGracefully(agent, graceMillis(options), inFlight))
      )
      return makeUndiciTransport(agent, warm, inFlight)
    })
  )

/** @internal */
export const layerFromDispatcher = (dispatcher: Undici.Dispatcher): Layer.Layer<Transport> =>
  Layer.succeed(Transport, makeUndiciTransport(dispatcher))
