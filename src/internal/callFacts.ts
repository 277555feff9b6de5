/** @internal */
import { randomUUID } from "node:crypto"
import { type CallInfo, type HttpResilientError, isHttpResilientError } from "../HttpResilientError.js"
import type { FailureReason } from "../ResilientEvent.js"
import type { RequestOptions } from "./request.js"

/** The call as it was given, to tell "the same call" apart: never shown (the URL and options may hold secrets). */
interface CallOrigin {
  readonly method: string
  readonly url: string | URL
  readonly options: RequestOptions | undefined
}

/**
 * The public `CallInfo` of an error (its `call`), made when an attempt fails, so that a retry policy — also a user's
 * plain `Effect.retry(policy)` around the call — can decide, and the next run of the same call can reuse its
 * idempotency key and deadline. `gaveUp` and `refusal` are written by the policy that decides on the error.
 * @internal
 */
export class CallFacts implements CallInfo {
  gaveUp: FailureReason | undefined = undefined
  refusal: HttpResilientError | undefined = undefined
  /** the run that fails with `refusal` has been made (once) */
  #refused = false
  readonly #origin: CallOrigin | undefined
  constructor(
    readonly attempt: number,
    readonly idempotencyKey: string | undefined,
    readonly replayable: boolean,
    readonly deadlineAt: number | undefined,
    readonly tag: string | undefined,
    origin: CallOrigin | undefined
  ) {
    this.#origin = origin
  }
  /** Whether these are the facts of the call made with `method`, `url` and `options` (the same objects). */
  isCallOf(method: string, url: string | URL, options: RequestOptions | undefined): boolean {
    const origin = this.#origin
    return origin !== undefined && origin.method === method && origin.url === url && origin.options === options
  }
  /** The refusal, the first time it is asked for; `undefined` after (and without one). */
  takeRefusal(): HttpResilientError | undefined {
    if (this.refusal === undefined || this.#refused) return undefined
    this.#refused = true
    return this.refusal
  }
}

/**
 * Sets `error.call` (a non-enumerable property, see `CallInfo`) and returns the facts.
 * @internal
 */
export const setCall = (error: HttpResilientError, facts: CallFacts): CallFacts => {
  Object.defineProperty(error, "call", { value: facts, enumerable: false, configurable: true, writable: true })
  return facts
}

/**
 * Call facts for an error that came from no call (made by hand, or after a call), to write a decision on.
 * @internal
 */
export const bareFacts = (error: HttpResilientError): CallFacts =>
  new CallFacts(error.attempt, undefined, true, undefined, undefined, undefined)

/**
 * The client's facts of the call `error` came from, if it came from a call.
 * @internal
 */
export const callOf = (error: unknown): CallFacts | undefined => {
  const call = isHttpResilientError(error) ? error.call : undefined
  return call instanceof CallFacts ? call : undefined
}

/**
 * What the next run of a call fails with, at once and without I/O, because a retry policy refused to retry after
 * `error` (budget empty, Retry-After too long, deadline); taken once. `Effect.retry` ends only with the last error
 * its effect failed with (its schedule's step cannot fail, and its decision only says stop or go on), so under a
 * user's plain `Effect.retry(policy)` the policy lets the effect run once more, at once, and the call turns that run
 * into the refusal. The client's own retry driver (`retryDriver.ts`: `retry`, the `retry` option, streams) takes it
 * without that run.
 * @internal
 */
export const takeRetryRefusal = (error: unknown): HttpResilientError | undefined => callOf(error)?.takeRefusal()

/**
 * A key for `idempotencyKey: true`: a UUID from the platform's CSPRNG, since keys must be unique fleet-wide.
 * @internal
 */
export const newIdempotencyKey = (): string => randomUUID()
