/**
 * The attributes of `http.client.request.duration`, as both editions tag an attempt: bounded (OpenTelemetry's advice
 * on cardinality), in one order. Effect-free.
 * @internal
 */
import { attributes } from "./telemetryNames.js"

/**
 * The value of `server.address` and `server.port` for a server past `maxServerAddresses`, and of
 * `http.request.method` for a method OpenTelemetry does not list (its convention for a bounded attribute).
 * @internal
 */
export const OTHER = "_OTHER"

/**
 * How many distinct `server.address` + `server.port` pairs get series of their own in
 * `http.client.request.duration`. A metric registry keeps every series for the life of the process, so the bound is
 * process-wide: later servers are recorded as `_OTHER`.
 * @internal
 */
export const maxServerAddresses = 1000

/**
 * The attribute names of a duration series, in the order both editions tag it (`status` and `errorType` only when
 * present).
 * @internal
 */
export const durationLabels: ReadonlyArray<string> = [
  attributes.method,
  attributes.serverAddress,
  attributes.serverPort,
  attributes.statusCode,
  attributes.errorType
]

const knownMethods: ReadonlySet<string> = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "QUERY",
  "TRACE"
])

/** `http.request.method`: the method when OpenTelemetry lists it, else `_OTHER`. @internal */
export const methodAttribute = (method: string): string => knownMethods.has(method) ? method : OTHER

/** The port a URL talks to, the scheme's default included. @internal */
export const portOf = (url: URL): string => url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80"

/** The fields of an error `error.type` reads. */
interface ErrorLike {
  readonly _tag: string
  readonly status?: number | undefined
  readonly reason?: string | undefined
}

/**
 * `error.type` of a failed attempt: the status for a `StatusError`, the reason for a `TransportError`, `timeout` for a
 * `TimeoutError`, the tag otherwise.
 * @internal
 */
export const errorTypeOf = (error: ErrorLike): string => {
  switch (error._tag) {
    case "StatusError":
      return String(error.status)
    case "TransportError":
      return error.reason ?? error._tag
    case "TimeoutError":
      return "timeout"
    default:
      return error._tag
  }
}

/**
 * The `server.address` and `server.port` values, given series of their own for the first `max` pairs seen and
 * `_OTHER` after. One per metric registry (each edition's is process-wide), so each edition makes its own.
 * @internal
 */
export const makeAddressCap = (max: number = maxServerAddresses) => {
  const seen = new Set<string>()
  return (host: string, port: string): readonly [address: string, port: string] => {
    const key = `${host}:${port}`
    if (seen.has(key)) return [host, port]
    if (seen.size >= max) return [OTHER, OTHER]
    seen.add(key)
    return [host, port]
  }
}

/**
 * The values of `durationLabels` for one attempt to `url` (bounded: method, address and port may be `_OTHER`);
 * `undefined` where the attempt has no such attribute (no status, no error).
 * @internal
 */
export const durationValues = (
  cap: (host: string, port: string) => readonly [string, string],
  method: string,
  url: URL,
  status: number | undefined,
  errorType: string | undefined
): ReadonlyArray<string | undefined> => {
  const [address, port] = cap(url.hostname, portOf(url))
  return [methodAttribute(method), address, port, status === undefined ? undefined : String(status), errorType]
}

/**
 * What names one series of the duration histogram (`requestDurationFor`'s options): `status` for attempts that got a
 * response, `errorType` for failed ones (both for a `StatusError`).
 * @internal
 */
export interface DurationSeriesOptions {
  readonly method: string
  readonly host: string
  readonly port: number | string
  readonly status?: number | undefined
  readonly errorType?: string | undefined
}

/**
 * The values of `durationLabels` for `requestDurationFor`'s options, as given (no bound applied: the caller names
 * the series it wants).
 * @internal
 */
export const requestedValues = (options: DurationSeriesOptions): ReadonlyArray<string | undefined> => [
  options.method,
  options.host,
  String(options.port),
  options.status === undefined ? undefined : String(options.status),
  options.errorType
]
