/**
 * Whether a request may be sent more than once: the method rule shared by retries, hedging and
 * `HttpResilientError.isRetryable`. (Whether the body can be sent again is decided where the body is built.)
 * Effect-free.
 * @internal
 */

/**
 * Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2), plus QUERY. Upper case.
 * @internal
 */
export const idempotentMethods: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "PUT",
  "DELETE",
  "TRACE",
  "QUERY"
])

/**
 * Whether a request with `method` (upper case for the standard methods) may be sent again: the method is one of
 * `methods` (by default the idempotent ones), or it is POST or PATCH and the request carries an `Idempotency-Key`.
 * @internal
 */
export const mayRepeat = (
  method: string,
  hasIdempotencyKey: boolean,
  methods: ReadonlySet<string> = idempotentMethods
): boolean => methods.has(method) || (hasIdempotencyKey && (method === "POST" || method === "PATCH"))
