/**
 * The bulkhead of the v4 edition: the core's slots and FIFO queue (src/core/bulkhead.ts), a waiter being a v4
 * `Deferred` that a released slot completes; the queue timeout runs on the Clock.
 * @internal
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { BulkheadSlots } from "../../../src/core/bulkhead.js"
import { BulkheadRejectedError, type BulkheadRejectionReason, type RequestInfo } from "../HttpResilientError.js"
import { bulkheadRejections } from "../Telemetry.js"

/**
 * The client's `bulkhead` option.
 * @since 0.1.0
 * @category models
 */
export interface BulkheadOptions {
  /** attempts running at once @default 1000 */
  readonly maxConcurrent?: number | undefined
  /** attempts waiting for a slot @default 0 */
  readonly maxQueue?: number | undefined
  /** how long one may wait in the queue @default as long as its deadline */
  readonly queueTimeout?: Duration.Input | undefined
}

/** @internal */
export class Bulkhead extends BulkheadSlots<Deferred.Deferred<void>> {
  constructor(maxConcurrent: number, maxQueue: number, private readonly queueTimeoutMillis: number | undefined) {
    super({ maxConcurrent, maxQueue })
  }

  /** Gives back a slot: to the oldest waiter, or to the pool. */
  release(): void {
    const next = this.handOver()
    if (next !== undefined) Deferred.doneUnsafe(next, Effect.void)
  }

  private rejected(info: RequestInfo, reason: BulkheadRejectionReason): BulkheadRejectedError {
    bulkheadRejections.updateUnsafe(1, Context.empty())
    const timeout = this.queueTimeoutMillis
    return new BulkheadRejectedError({
      ...info,
      limit: this.settings.maxConcurrent,
      queued: this.queued,
      reason,
      queueTimeout: reason === "queue-timeout" && timeout !== undefined ? Duration.millis(timeout) : undefined
    })
  }

  /**
   * A slot for `run`, held until it ends; or `BulkheadRejectedError` when none is free and the queue is full. `run`
   * is made once the slot is granted: what it starts when made (the breaker's admission) is not started for an
   * attempt still queued or rejected.
   */
  guard<A>(info: RequestInfo, run: () => Effect.Effect<A, any>): Effect.Effect<A, any> {
    return Effect.suspend(() => {
      if (this.tryAcquire()) return Effect.ensuring(run(), Effect.sync(() => this.release()))
      if (!this.canQueue()) return Effect.fail(this.rejected(info, "full"))
      const waiter = Deferred.makeUnsafe<void>()
      this.enqueue(waiter)
      const waited = this.queueTimeoutMillis === undefined ? Deferred.await(waiter) : Effect.timeoutOrElse(
        Deferred.await(waiter),
        {
          duration: this.queueTimeoutMillis,
          // a slot handed over as the timer fired is ours: keep it
          orElse: () =>
            Deferred.isDoneUnsafe(waiter) ? Effect.void : Effect.suspend(() => {
              this.remove(waiter)
              return Effect.fail(this.rejected(info, "queue-timeout"))
            })
        }
      )
      const holding = Effect.onInterrupt(waited, () =>
        Effect.sync(() => {
          if (Deferred.isDoneUnsafe(waiter)) this.release()
          else this.remove(waiter)
        }))
      return Effect.flatMap(holding, () => Effect.ensuring(run(), Effect.sync(() => this.release())))
    })
  }
}
