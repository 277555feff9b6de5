/**
 * One exchange over an undici dispatcher whose body is left in the socket: the request, the response head (an
 * invalid status refused, headers read), and the body as a Node `Readable`, decoded as it is read when the request
 * asks to decompress. Effect-free: each edition turns the result into its own stream and ties `close` to a scope.
 * @internal
 */
import type { Readable } from "node:stream"
import type * as Undici from "undici"
import { codingsOf, decodeFailure, decoderChain, hasNoBody } from "./decompress.js"
import type { ExchangeRequest, InFlight, UndiciBody } from "./exchange.js"
import { fromHeaderRecord } from "./headers.js"
import { invalidStatus, TransportFailure } from "./transportFailure.js"
import { classifyError } from "./undiciErrors.js"

/**
 * A response whose head arrived; its body is still in the socket.
 * @internal
 */
export interface OpenedResponse {
  readonly status: number
  readonly statusText: string
  /** lower-case names; a decoded body's `content-encoding` and `content-length` are removed */
  readonly headers: Record<string, string>
  readonly setCookie: ReadonlyArray<string>
  /** The URL that answered. */
  readonly url: string
  /** the body, decoded when asked; read errors are classified by `bodyFailure` */
  readonly body: Readable
  /** Destroys the body (and its decoders): the socket is closed unless it was read to the end. */
  readonly close: () => void
}

/**
 * Counts a streamed exchange in flight until the returned release runs, which also aborts it (`controller`): an
 * edition acquires it with its scope, so a graceful close waits for the stream and a closed scope ends it.
 * @internal
 */
export const countInFlight = (inFlight: InFlight, controller: AbortController): () => void => {
  inFlight.count++
  return () => {
    inFlight.count--
    controller.abort()
  }
}

/**
 * Sends `request` over `dispatcher` (aborted by `signal`) and resolves with the opened response or the failure; a
 * refused head destroys its body before resolving.
 * @internal
 */
export const openStreamed = (
  dispatcher: Undici.Dispatcher,
  request: ExchangeRequest,
  body: UndiciBody,
  signal: AbortSignal
): Promise<OpenedResponse | TransportFailure> =>
  dispatcher.request({
    origin: request.url.origin,
    path: request.url.pathname + request.url.search,
    method: request.method as Undici.Dispatcher.HttpMethod,
    headers: request.headers,
    body: body as any,
    signal
  }).then(
    (response) => opened(request, response),
    (error: unknown) => classifyError(error)
  )

const opened = (
  request: ExchangeRequest,
  response: Undici.Dispatcher.ResponseData
): OpenedResponse | TransportFailure => {
  const raw = response.body
  const invalid = invalidStatus(response.statusCode)
  if (invalid !== undefined) {
    raw.destroy()
    return invalid
  }
  const received = fromHeaderRecord(response.headers)
  let readable: Readable = raw
  const encoding = received.headers["content-encoding"]
  if (encoding !== undefined && request.decompress === true && !hasNoBody(request.method, response.statusCode)) {
    const codings = codingsOf(encoding)
    if (codings instanceof TransportFailure) {
      raw.destroy()
      return codings
    }
    if (codings !== undefined) {
      // decoded as the consumer pulls (backpressure kept); the declared length was the encoded body's
      readable = decoderChain(codings, raw).output
      delete received.headers["content-encoding"]
      delete received.headers["content-length"]
    }
  }
  const decoded = readable
  return {
    status: response.statusCode,
    statusText: (response as { statusText?: string }).statusText ?? "",
    headers: received.headers,
    setCookie: received.setCookie,
    url: request.url.href,
    body: decoded,
    close: () => {
      raw.destroy()
      if (decoded !== raw) decoded.destroy()
    }
  }
}

/**
 * A failure reading an opened body: a corrupt encoding is `ProtocolError`, else as undici's errors are classified.
 * @internal
 */
export const bodyFailure = (error: unknown): TransportFailure => decodeFailure(error) ?? classifyError(error)
