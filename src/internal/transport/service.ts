/**
 * The transport as the client sees it: the service, its tag, and the request and streaming response it trades in.
 * The failure type is the core's (src/core/transportFailure.ts).
 * @internal
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { RawResponse } from "../../core/exchange.js"
import type { StreamingHead } from "../../core/streaming.js"
import { type InvalidRequestReason, TransportFailure, type TransportReason } from "../../core/transportFailure.js"
import type { InvalidRequestError, TransportErrorReason } from "../../HttpResilientError.js"

/**
 * One request as the transport sees it: URL parsed, headers lower-case, body ready.
 * @internal
 */
export interface TransportRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: HttpBody.HttpBody
  /** milliseconds for the whole attempt, headers and body; `Infinity` for none */
  readonly timeoutMillis: number
  readonly maxResponseSize: number
  /** undo a gzip / deflate / br `Content-Encoding` (the client's `decompress`); transports that cannot, ignore it */
  readonly decompress?: boolean | undefined
  /** the clock that drives the attempt timeout */
  readonly clock: Clock.Clock
}

/** @internal */
export interface StreamingResponse extends StreamingHead {
  readonly body: Stream.Stream<Uint8Array, TransportFailure>
}

/** @internal */
export interface TransportService {
  /** One exchange, body read into memory. Interruption aborts the socket. */
  readonly send: (request: TransportRequest) => Effect.Effect<RawResponse, TransportFailure>
  /** One exchange whose body is streamed with backpressure; the scope owns the socket. */
  readonly stream: (request: TransportRequest) => Effect.Effect<StreamingResponse, TransportFailure, Scope.Scope>
  /** Opens `connections` idle sockets to `origin`, when the transport has a pool. */
  readonly warmUp: (origin: URL, connections: number, clock: Clock.Clock) => Effect.Effect<void, TransportFailure>
  /**
   * The codings the transport decodes when a request asks it to (`decompress`), as an `Accept-Encoding` value: the
   * client sends it when it decompresses and the user set no `Accept-Encoding`. A transport without it decodes
   * nothing, and the client asks for no encoding.
   */
  readonly acceptEncoding?: string | undefined
}

/**
 * `send` with the transport's failure mapped to the caller's error by `mapFailure` in the transport's own failure
 * handler: what the caller's `Effect.catchAllCause` around `send` would do, one step less on the success path.
 * `mapFailure` is called with the failure, the request and `context` (what the caller needs to build its error), so
 * a caller passes one function made once rather than a closure per request.
 *
 * `restore`, when given: the caller runs the returned effect at once, directly inside an uninterruptible region, and
 * `restore` is that region's (an `uninterruptibleMask`'s). The transport then opens no region of its own: it runs
 * its waits through `restore` and its failure handler in the caller's region.
 * @internal
 */
export type SendMapped = <E, C>(
  request: TransportRequest,
  mapFailure: (failure: TransportFailure, request: TransportRequest, context: C) => E,
  context: C,
  restore?: Restore
) => Effect.Effect<RawResponse, E>

/**
 * An `uninterruptibleMask`'s `restore`.
 * @internal
 */
export type Restore = <X, F, R>(effect: Effect.Effect<X, F, R>) => Effect.Effect<X, F, R>

const sendMappedKey = Symbol.for("effect-http-resilient/SendMapped")

/**
 * `send` carrying `mapped`, its form with the failure mapped (`SendMapped`). Carried by the function rather than the
 * service, so a service that replaces `send` (`{ ...transport, send: mine }`) is called through its own `send`.
 * @internal
 */
export const withSendMapped = (
  send: TransportService["send"],
  mapped: SendMapped
): TransportService["send"] => Object.assign(send, { [sendMappedKey]: mapped })

/**
 * The `SendMapped` form of `transport.send`, when it has one.
 * @internal
 */
export const sendMappedOf = (transport: TransportService): SendMapped | undefined =>
  (transport.send as { readonly [sendMappedKey]?: SendMapped })[sendMappedKey]

/** @internal */
export class Transport extends Context.Tag("effect-http-resilient/Transport")<Transport, TransportService>() {}

/** `warmUp` of a transport without its own pool. @internal */
export const warmUpUnsupported = (what: string): Effect.Effect<never, TransportFailure> =>
  Effect.fail(
    new TransportFailure(
      "InvalidRequest",
      new Error(`warmUp needs the client's own pool (ResilientClient.layer); this client uses ${what}`)
    )
  )

type Same<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false
type Holds<T extends true> = T

/**
 * Compiles only while the core's reason unions are the public ones (the core may not import the public module).
 * @internal
 */
export type _ReasonsAgree = [
  Holds<Same<TransportReason, TransportErrorReason>>,
  Holds<Same<InvalidRequestReason, InvalidRequestError["reason"]>>
]
