/**
 * Decoding a response's `Content-Encoding` (gzip, deflate, br) with node:zlib streams, for the buffered exchange and
 * for streamed bodies alike. Effect-free.
 *
 * Why node:zlib in our exchange rather than undici's `interceptors.decompress` (undici 7.30): the interceptor's
 * `maxSize` is fixed when the dispatcher is composed, while `maxResponseSize` is per request; it skips error
 * responses (≥ 400) by default, so a `StatusError` would carry compressed bytes; it wraps every request's handler
 * (allocations on the path of a response with no encoding); it emits an ExperimentalWarning process-wide; and its
 * failures (a zlib error, `ResponseExceededMaxSizeError`) arrive as undici errors we would have to tell apart.
 * Here the exchange counts decoded bytes against the request's own limit and aborts the socket at once.
 * @internal
 */
import { pipeline, type Readable, type Transform } from "node:stream"
import * as zlib from "node:zlib"
import { TransportFailure } from "./transportFailure.js"

/**
 * What the client sends as `Accept-Encoding` when it decompresses and the user set none.
 * @internal
 */
export const ACCEPT_ENCODING = "gzip, deflate, br"

/**
 * A client's headers when it decompresses over a transport that decodes `acceptEncoding`: they ask for those codings
 * (`Accept-Encoding`) unless the user set the header; `undefined` when they stay as they are. Once per client.
 * @internal
 */
export const withAcceptEncodingHeader = (
  headers: Readonly<Record<string, string>>,
  decompress: boolean,
  acceptEncoding: string | undefined
): Record<string, string> | undefined =>
  !decompress || acceptEncoding === undefined || headers["accept-encoding"] !== undefined
    ? undefined
    : { ...headers, "accept-encoding": acceptEncoding }

/** More codings than this on one response is an attack (urllib3's GHSA-gm62-xv2j-4w53, curl's CVE-2022-32206). */
const maxCodings = 5

const decoders: Readonly<Record<string, () => Transform>> = {
  gzip: zlib.createGunzip,
  "x-gzip": zlib.createGunzip,
  deflate: zlib.createInflate,
  br: zlib.createBrotliDecompress
}

/**
 * The codings to undo for a `Content-Encoding` value, in the order they are undone (the last applied first);
 * `undefined` when there is nothing to undo or one coding is unknown (the bytes then pass through, the header kept);
 * a `ProtocolError` for more codings than a response may stack.
 * @internal
 */
export const codingsOf = (value: string): ReadonlyArray<string> | undefined | TransportFailure => {
  const parts = value.split(",")
  const codings: Array<string> = []
  for (let i = parts.length - 1; i >= 0; i--) {
    const coding = parts[i].trim().toLowerCase()
    if (coding === "" || coding === "identity") continue
    if (!Object.prototype.hasOwnProperty.call(decoders, coding)) return undefined
    codings.push(coding)
  }
  if (codings.length > maxCodings) {
    return new TransportFailure("ProtocolError", undefined, `${codings.length} content codings (at most ${maxCodings})`)
  }
  return codings.length === 0 ? undefined : codings
}

const CONTENT_ENCODING = Buffer.from("content-encoding", "latin1")

/** Whether a raw header name is `content-encoding`, in any case, without making a string of it. */
const isContentEncoding = (name: Buffer): boolean => {
  if (name.length !== 16) return false
  // `| 0x20` lower-cases a letter and leaves "-" (0x2d) as it is
  for (let i = 0; i < 16; i++) if ((name[i] | 0x20) !== CONTENT_ENCODING[i]) return false
  return true
}

/**
 * The `content-encoding` of a raw header list (several lines joined), without decoding the other headers.
 * @internal
 */
export const rawContentEncoding = (raw: Array<Buffer>): string | undefined => {
  let found: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if (isContentEncoding(raw[i])) {
      const value = raw[i + 1].toString("latin1")
      found = found === undefined ? value : `${found}, ${value}`
    }
  }
  return found
}

/**
 * Whether a response has no body whatever its headers say (so nothing is decoded).
 * @internal
 */
export const hasNoBody = (method: string, status: number): boolean =>
  method === "HEAD" || status === 204 || status === 304

/** the coding each decoder error came from (a decoder's error reaches the chain's end as the same object) */
const decoderErrors = new WeakMap<object, string>()

/**
 * A chain of decoders for `codings` (as `codingsOf` gives them): write the encoded bytes to `input`, read the
 * decoded ones from `output`. With `source`, the source is piped in (backpressure kept) and its errors, like the
 * decoders', reach `output`.
 * @internal
 */
export const decoderChain = (
  codings: ReadonlyArray<string>,
  source?: Readable
): { readonly input: Transform; readonly output: Readable; readonly streams: ReadonlyArray<Transform> } => {
  const streams = codings.map((coding) => {
    const decoder = decoders[coding]()
    decoder.on("error", (error: unknown) => {
      if (typeof error === "object" && error !== null && !decoderErrors.has(error)) decoderErrors.set(error, coding)
    })
    return decoder
  })
  if (source === undefined && streams.length === 1) return { input: streams[0], output: streams[0], streams }
  const all: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = source === undefined ? [] : [source]
  all.push(...streams)
  const output = (pipeline as (...streams: Array<any>) => Readable)(...all, ignore)
  return { input: streams[0], output, streams }
}

const ignore = () => {}

/**
 * The failure for an error a decoder raised (the body is not what its `Content-Encoding` says: the server broke the
 * protocol, `ProtocolError`), or `undefined` for any other error.
 * @internal
 */
export const decodeFailure = (error: unknown): TransportFailure | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const coding = decoderErrors.get(error)
  if (coding === undefined) return undefined
  const message = (error as { message?: unknown }).message
  return new TransportFailure(
    "ProtocolError",
    error,
    `the body is not valid ${coding} (its Content-Encoding)${typeof message === "string" ? `: ${message}` : ""}`
  )
}
