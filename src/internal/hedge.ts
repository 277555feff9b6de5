/** @internal */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import type * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { idempotentMethods, TimeoutError } from "../HttpResilientError.js"
import { type ResilientEvent, RetryBudgetExhausted, RetryScheduled } from "../ResilientEvent.js"
import { redactUrl } from "./redact.js"
import type { PreparedRequest } from "./request.js"

/** @internal */
export interface HedgeOptions {
  readonly delay: Duration.DurationInput
  readonly maxHedges?: number | undefined
}

/**
 * What a hedged call learns about its requests: each attempt inside reports whether it may be sent twice.
 * @internal
 */
export interface HedgeGate {
  /** 0: no request seen yet, 1: every request seen may be repeated, 2: one may not */
  state: 0 | 1 | 2
  method: string
  url: URL | undefined
  tag: string | undefined
}

/** @internal */
export const currentHedgeGate: FiberRef.FiberRef<HedgeGate | undefined> = FiberRef.unsafeMake<HedgeGate | undefined>(
  undefined
)

/**
 * Whether a request may be sent more than once at the same time: an idempotent method, or POST/PATCH with an
 * Idempotency-Key, and a body that can be sent again.
 * @internal
 */
export const mayRepeat = (prepared: PreparedRequest): boolean => {
  if (!prepared.replayable) return false
  if (idempotentMethods.has(prepared.method)) return true
  const keyed = prepared.headers["idempotency-key"] !== undefined ||
    (prepared.options?.idempotencyKey !== undefined && prepared.options.idempotencyKey !== false)
  return keyed && (prepared.method === "POST" || prepared.method === "PATCH")
}

/**
 * Called by every attempt: tells an enclosing hedge what it is sending (a no-op outside `hedge`).
 * @internal
 */
export const observe = (gate: HedgeGate | undefined, prepared: PreparedRequest): void => {
  if (gate === undefined) return
  if (!mayRepeat(prepared)) gate.state = 2
  else if (gate.state === 0) gate.state = 1
  if (gate.url === undefined) {
    gate.method = prepared.method
    gate.url = prepared.url
    gate.tag = prepared.tag
  }
}

/**
 * What the hedger needs of the client, when one is in context.
 * @internal
 */
export interface HedgeClient {
  readonly retryBudget: { readonly tryRetry: (nowMillis: number) => boolean } | undefined
  readonly publish: (event: ResilientEvent) => void
  readonly hasListeners: () => boolean
}

/** @internal */
export const validate = (options: HedgeOptions): { readonly delay: Duration.Duration; readonly maxHedges: number } => {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`HttpResilient.hedge: expected { delay, maxHedges? }, got ${String(options)}`)
  }
  const delay = Duration.decodeUnknown(options.delay)
  if (delay._tag === "None" || !Duration.isFinite(delay.value) || Duration.toMillis(delay.value) < 0) {
    throw new RangeError(
      `HttpResilient.hedge: delay ${JSON.stringify(options.delay)} is not a finite non-negative duration`
    )
  }
  const maxHedges = options.maxHedges ?? 1
  if (!Number.isInteger(maxHedges) || maxHedges < 1 || maxHedges > 16) {
    throw new RangeError(`HttpResilient.hedge: maxHedges ${String(options.maxHedges)} is not an integer from 1 to 16`)
  }
  return { delay: delay.value, maxHedges }
}

/**
 * Runs `self`; while no copy has answered, sends another copy every `delay`, up to `maxHedges` more, each paid
 * for from the client's retry budget. The first success wins and the other copies are interrupted (their
 * sockets aborted). A copy that fails does not end the call while another is still running; when all have
 * failed, the call fails with the earliest failure. Requests that may not be repeated are sent once.
 * @internal
 */
export const hedge = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  options: HedgeOptions,
  client: Effect.Effect<Option.Option<HedgeClient>>
): Effect.Effect<A, E, R> => {
  const { delay, maxHedges } = validate(options)
  return Effect.gen(function*() {
    const gate: HedgeGate = { state: 0, method: "", url: undefined, tag: undefined }
    const copy = Effect.locally(self, currentHedgeGate, gate)
    const done = yield* Deferred.make<Exit.Exit<A, E>>()
    const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
    let running = 0
    let firstFailure: Exit.Exit<A, E> | undefined
    const launch = Effect.flatMap(
      Effect.fork(Effect.onExit(copy, (exit) =>
        Effect.suspend(() => {
          running--
          if (Exit.isSuccess(exit)) return Deferred.succeed(done, exit)
          // keep the first real failure; an interruption only stands in for one until there is one
          if (firstFailure === undefined || (Exit.isInterrupted(firstFailure) && !Exit.isInterrupted(exit))) {
            firstFailure = exit
          }
          return running === 0 ? Deferred.succeed(done, firstFailure) : Effect.void
        }))),
      (fiber) =>
        Effect.sync(() => {
          fibers.push(fiber)
        })
    )
    running++
    yield* launch
    const service = yield* client
    const waitOrTimeout = Effect.raceFirst(
      Effect.as(Deferred.await(done), true),
      Effect.as(Effect.sleep(delay), false)
    )
    for (let hedges = 0; hedges < maxHedges; hedges++) {
      if (yield* waitOrTimeout) break
      if (gate.state !== 1 || gate.url === undefined) break
      const now = yield* Clock.currentTimeMillis
      const attempt = (yield* Schedule.CurrentIterationMetadata).recurrence + 1
      const info = { method: gate.method, url: redactUrl(gate.url), attempt, timestamp: now, tag: gate.tag }
      if (service._tag === "Some") {
        const c = service.value
        if (c.retryBudget !== undefined && !c.retryBudget.tryRetry(now)) {
          if (c.hasListeners()) c.publish(new RetryBudgetExhausted(info))
          break
        }
        if (c.hasListeners()) {
          c.publish(
            new RetryScheduled({
              ...info,
              delay,
              reason: "hedge",
              error: new TimeoutError({ ...info, scope: "attempt", timeout: delay })
            })
          )
        }
      }
      running++
      yield* launch
    }
    const exit = yield* Deferred.await(done)
    yield* Fiber.interruptAll(fibers)
    return yield* exit
  })
}
