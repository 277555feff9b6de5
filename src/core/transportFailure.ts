/**
 * What a transport reports when an exchange fails: a plain value the Effect face carries as its error, and the
 * status rule every transport applies before it reads a body. Effect-free.
 * @internal
 */

/**
 * Why a transport failed: the one list of reasons both editions' public `TransportErrorReason` name (their
 * `HttpResilientError` modules document each one).
 * @internal
 */
export type TransportReason =
  | "ConnectionRefused"
  | "ConnectionReset"
  | "ConnectTimeout"
  | "HeadersTimeout"
  | "BodyTimeout"
  | "DnsFailure"
  | "TlsFailure"
  | "ProtocolError"
  | "ResponseTooLarge"
  | "Aborted"
  | "NotResumable"
  | "StreamEnded"
  | "RedirectLoop"
  | "TooManyRedirects"
  | "InsecureRedirect"
  | "Unknown"

/**
 * Why an `InvalidRequestError` the transport reports happened (its `reason`).
 * @internal
 */
export type InvalidRequestReason = "InvalidUrl" | "InvalidMethod" | "InvalidHeader" | "InvalidBody" | "InvalidOption"

/**
 * Why the transport failed. `Timeout` is the attempt timeout; the pipeline turns it into a `TimeoutError`.
 * `InvalidRequest` is the request's own fault (an `InvalidRequestError`), with its reason in `invalid`.
 * @internal
 */
export class TransportFailure {
  readonly _tag = "TransportFailure"
  constructor(
    readonly reason: TransportReason | "Timeout" | "InvalidRequest",
    readonly cause?: unknown,
    readonly detail?: string,
    /** with `InvalidRequest`: the `InvalidRequestError` reason */
    readonly invalid?: InvalidRequestReason
  ) {}
}

/**
 * What the `InvalidRequestError` made of a transport's `InvalidRequest` failure says: the failure's detail, else its
 * cause's message (a platform client's "bad port", a header undici refuses).
 * @internal
 */
export const invalidRequestDetail = (failure: TransportFailure): string =>
  failure.detail ?? (failure.cause instanceof Error ? failure.cause.message : "rejected by the transport")

/**
 * The attempt timeout: one value for every exchange (it carries nothing of its own).
 * @internal
 */
export const TIMEOUT = new TransportFailure("Timeout")

/**
 * RFC 9110 §15: every valid status is from 100 to 599; anything else is the server breaking the protocol.
 * @internal
 */
export const invalidStatus = (status: number): TransportFailure | undefined =>
  status >= 100 && status <= 599
    ? undefined
    : new TransportFailure("ProtocolError", undefined, `invalid status ${status}`)
