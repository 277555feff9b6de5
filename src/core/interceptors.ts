/**
 * The interceptor rules both editions share: what an interceptor is (a name, a request side, a response side, each
 * a function of the edition's request or response), the check of the `interceptors` option, and the error for a
 * function that produced something other than a request or a response. Running them is each edition's Effect code.
 * @internal
 */
import type { RawResponse } from "./exchange.js"

/**
 * What an interceptor knows about the attempt it runs in.
 * @internal
 */
export interface InterceptorContext {
  /** 1 for the first attempt, 2 for the first retry … */
  readonly attempt: number
  /** The request's `tag` option. */
  readonly tag: string | undefined
}

/**
 * A response an interceptor made or replaced, as the rest of the attempt reads it: its status, its headers (a
 * `set-cookie` one as the cookie list), its body read into `buffer`, its request's URL.
 * @internal
 */
export const rawResponseOf = (
  response: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly request: { readonly url: string }
  },
  buffer: ArrayBuffer
): RawResponse => {
  const headers: Record<string, string> = {}
  for (const name in response.headers) {
    if (name !== "set-cookie") headers[name] = response.headers[name]
  }
  const cookie = response.headers["set-cookie"]
  return {
    status: response.status,
    statusText: "",
    headers,
    setCookie: cookie === undefined ? [] : [cookie],
    body: new Uint8Array(buffer),
    url: response.request.url
  }
}

/**
 * What a response interceptor gets besides the response, over the edition's request `Req` and the effect `Resent`
 * that `resend` returns.
 * @internal
 */
export interface ResponseContextOf<Req, Resent> extends InterceptorContext {
  /** The request that produced the response, as the request interceptors left it. */
  readonly request: Req
  /**
   * Sends a request again within the same attempt (same timeout, redirects followed), without running the
   * interceptors again: what a token refresh on 401 needs.
   */
  readonly resend: (request: Req) => Resent
}

/**
 * An interceptor over the edition's request `Req` and response `Res`; `Out<A>` is what a function may return for a
 * value of type `A` (the value, or an Effect of it), given as `ReqOut` and `ResOut`.
 * @internal
 */
export interface InterceptorOf<Req, ReqOut, Res, ResOut, ResCtx> {
  /** Names the interceptor in an `InterceptorError`. */
  readonly name: string
  readonly onRequest?: ((request: Req, context: InterceptorContext) => ReqOut) | undefined
  readonly onResponse?: ((response: Res, context: ResCtx) => ResOut) | undefined
}

/**
 * `Interceptor.bearerToken`'s options over the edition's effect of a token.
 * @internal
 */
export interface BearerTokenOptionsOf<Token, Refresh> {
  readonly token: Token
  readonly refresh: Refresh
  /** @default "bearerToken" */
  readonly name?: string | undefined
}

/**
 * `Interceptor.correlationId`'s options over the edition's effect of an id.
 * @internal
 */
export interface CorrelationIdOptionsOf<Generate> {
  readonly generate: Generate
  /** @default "x-correlation-id" */
  readonly header?: string | undefined
  /** @default "correlationId" */
  readonly name?: string | undefined
}

/** Which of an interceptor's two functions. @internal */
export type InterceptorSide = "onRequest" | "onResponse"

/**
 * What an entry of the `interceptors` option at `at` (`interceptors[2]`) is not, or `undefined`: each is
 * `{ name, onRequest?, onResponse? }` with a non-empty name and at least one of the two functions.
 * @internal
 */
export const interceptorProblem = (
  x: { readonly name?: unknown; readonly onRequest?: unknown; readonly onResponse?: unknown } | null,
  at: string
): string | undefined => {
  if (x === null || typeof x !== "object" || typeof x.name !== "string" || x.name === "") {
    return `${at}: expected { name, onRequest?, onResponse? }`
  }
  for (const key of ["onRequest", "onResponse"] as const) {
    if (x[key] !== undefined && typeof x[key] !== "function") return `${at} (${x.name}): ${key} is not a function`
  }
  return x.onRequest === undefined && x.onResponse === undefined
    ? `${at} (${x.name}): has neither onRequest nor onResponse`
    : undefined
}

/** @internal */
export const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  (typeof u === "object" || typeof u === "function") && u !== null && typeof (u as any).then === "function"

/**
 * Why what `side` produced (`inEffect`: what its Effect succeeded with) is not a request (`onRequest`) or a response
 * (`onResponse`). A Promise returned where an Effect is expected is caught here, so its rejection is never unhandled.
 * @internal
 */
export const wrongResult = (side: InterceptorSide, value: unknown, inEffect: boolean): TypeError => {
  const what = side === "onRequest" ? "an HttpClientRequest" : "an HttpClientResponse"
  if (!inEffect && isThenable(value)) {
    // nothing will wait for it: a rejection must not become an unhandled one
    Promise.resolve(value).catch(() => {})
    return new TypeError(
      `${side} returned a Promise; return an Effect (wrap the promise: Effect.tryPromise(() => …)) or ${what}`
    )
  }
  const shown = value === null ? "null" : isThenable(value) ? "a Promise" : typeof value
  return new TypeError(`${side} ${inEffect ? "succeeded with" : "returned"} ${shown}, not ${what}`)
}
