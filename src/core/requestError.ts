/**
 * The one error the request rules (URL, method, headers, body, options) return instead of throwing. Effect-free: the
 * client turns it into an `InvalidRequestError` (or, for the layer's options, a `ConfigError`).
 * @internal
 */
import type { InvalidRequestReason } from "./transportFailure.js"

/** @internal */
export class RequestValidationError {
  readonly _tag = "RequestValidationError"
  constructor(
    readonly reason: InvalidRequestReason,
    readonly detail: string,
    readonly cause?: unknown
  ) {}
}

/**
 * A value as an error message may quote it: JSON-quoted, cut after 40 characters.
 * @internal
 */
export const describeValue = (s: string): string => JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s)
