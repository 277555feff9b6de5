/** @internal */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { redactUrl } from "../core/secrets.js"
import { TimeoutError } from "../HttpResilientError.js"
import type { PreparedRequest } from "./request.js"

/**
 * The absolute deadline (epoch ms by the Clock) of the current call, if any.
 * @internal
 */
export const currentDeadline: FiberRef.FiberRef<number | undefined> = FiberRef.unsafeMake<number | undefined>(
  undefined
)

/**
 * The earlier of two deadlines (epoch ms by the Clock), either of which may be unset.
 * @internal
 */
export function earliestDeadline(a: number | undefined, b: number): number
export function earliestDeadline(a: number | undefined, b: number | undefined): number | undefined
export function earliestDeadline(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

/**
 * The request a deadline's timeout names: the last attempt started under `withDeadline`. `outer` is the enclosing
 * deadline's: an attempt started under this one started under that one too.
 * @internal
 */
export interface DeadlineInfo {
  method: string
  url: string
  attempt: number
  readonly outer: DeadlineInfo | undefined
}

/** @internal */
export const currentDeadlineInfo: FiberRef.FiberRef<DeadlineInfo | undefined> = FiberRef.unsafeMake<
  DeadlineInfo | undefined
>(undefined)

/**
 * Notes the attempt on `info` and on every deadline enclosing it.
 * @internal
 */
export const noteAttempt = (info: DeadlineInfo, prepared: PreparedRequest, attemptNo: number): void => {
  const url = redactUrl(prepared.url, prepared.secrets)
  for (let at: DeadlineInfo | undefined = info; at !== undefined; at = at.outer) {
    at.method = prepared.method
    at.url = url
    at.attempt = attemptNo
  }
}

/**
 * Runs `self` under the absolute deadline `deadlineAt` (kept earlier if one is already set): attempts see it
 * through `currentDeadline`, and `self` is interrupted when it passes, failing with `TimeoutError` deadline
 * that names the last attempt.
 * @internal
 */
export const boundByDeadline = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  deadlineAt: number,
  now: number,
  existing: number | undefined,
  info: DeadlineInfo
): Effect.Effect<A, E | TimeoutError, R> => {
  const deadline = earliestDeadline(existing, deadlineAt)
  const remaining = Math.max(0, deadline - now)
  const timeoutError = () =>
    new TimeoutError({
      method: info.method,
      url: info.url,
      attempt: info.attempt,
      scope: "deadline",
      timeout: Duration.millis(remaining)
    })
  if (remaining === 0) return Effect.fail(timeoutError())
  return self.pipe(
    Effect.locally(currentDeadline, deadline),
    Effect.locally(currentDeadlineInfo, info),
    Effect.timeoutFail({ duration: Duration.millis(remaining), onTimeout: timeoutError })
  )
}

/** @internal */
export const withDeadline = dual<
  (
    duration: Duration.DurationInput
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | TimeoutError, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, duration: Duration.DurationInput) => Effect.Effect<A, E | TimeoutError, R>
>(2, (self, duration) => {
  const millis = Duration.toMillis(Duration.decode(duration))
  return Effect.withFiberRuntime((fiber) => {
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    const now = clock.unsafeCurrentTimeMillis()
    const info: DeadlineInfo = { method: "", url: "", attempt: 0, outer: fiber.getFiberRef(currentDeadlineInfo) }
    return boundByDeadline(self, now + millis, now, fiber.getFiberRef(currentDeadline), info)
  })
})

/**
 * An attempt's time: its timeout clipped to the deadline, counted from when the attempt was let through.
 * @internal
 */
export class AttemptTime {
  // fields are declared, and set in the constructor only: plain stores rather than field definitions, on the hot path
  declare startedAt: number
  declare timeoutMillis: number
  /** the timeout was clipped to the deadline: running out of it is the deadline's timeout */
  declare clipped: boolean
  declare readonly deadline: number | undefined
  constructor(now: number, timeoutMillis: number, deadline: number | undefined) {
    this.startedAt = now
    this.timeoutMillis = timeoutMillis
    this.clipped = false
    this.deadline = deadline
    this.clip(now)
  }
  /** The deadline is already spent: the attempt fails with `TimeoutError` deadline and sends nothing. */
  get spent(): boolean {
    return this.clipped && this.timeoutMillis === 0
  }
  /** Made to wait by the rate limiter or the bulkhead queue: the attempt's time starts now. */
  rebase(admittedAt: number): void {
    this.startedAt = admittedAt
    this.clip(admittedAt)
  }
  /** What is left of the timeout at `now`. */
  left(now: number): number {
    return this.timeoutMillis - (now - this.startedAt)
  }
  private clip(now: number): void {
    const deadline = this.deadline
    if (deadline !== undefined && deadline - now < this.timeoutMillis) {
      this.timeoutMillis = Math.max(0, deadline - now)
      this.clipped = true
    }
  }
}
