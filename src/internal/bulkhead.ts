/** @internal */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { bulkheadDefaults, BulkheadSlots } from "../core/bulkhead.js"
import { schedule } from "./timer.js"

/** @internal */
export interface BulkheadOptions {
  readonly maxConcurrent?: number | undefined
  readonly maxQueue?: number | undefined
  readonly queueTimeout?: Duration.DurationInput | undefined
}

/** @internal */
export const defaults = bulkheadDefaults

/** @internal */
export interface BulkheadSettings {
  readonly maxConcurrent: number
  readonly maxQueue: number
  /** `undefined`: a queued attempt waits as long as its deadline (or its caller) lets it. */
  readonly queueTimeoutMillis: number | undefined
}

/** @internal */
export const resolve = (options: BulkheadOptions | undefined): BulkheadSettings => ({
  maxConcurrent: options?.maxConcurrent ?? defaults.maxConcurrent,
  maxQueue: options?.maxQueue ?? defaults.maxQueue,
  queueTimeoutMillis: options?.queueTimeout === undefined
    ? undefined
    : Duration.toMillis(Duration.decode(options.queueTimeout))
})

interface Waiter {
  granted: boolean
  resume: ((granted: boolean) => void) | undefined
  cancelTimer: (() => void) | undefined
}

/**
 * The client's bulkhead: the core's counting and FIFO queue (`core/bulkhead.ts`), and the wait of a queued attempt
 * — only a queued attempt suspends (`Effect.async`, with its queue timeout on the `Clock`).
 * @internal
 */
export class Bulkhead extends BulkheadSlots<Waiter> {
  constructor(override readonly settings: BulkheadSettings) {
    super(settings)
  }

  /** Gives back a slot; the oldest waiter, if any, is woken holding it. */
  release(): void {
    const next = this.handOver()
    if (next === undefined) return
    next.granted = true
    next.cancelTimer?.()
    const resume = next.resume
    next.resume = undefined
    resume?.(true)
  }

  /**
   * Waits in the queue for a slot: succeeds with `true` once one is handed over, `false` when the queue
   * timeout ran out. An interrupted waiter leaves the queue, and gives back a slot it was handed meanwhile.
   */
  wait(clock: Clock.Clock): Effect.Effect<boolean> {
    return Effect.suspend(() => {
      const waiter: Waiter = { granted: false, resume: undefined, cancelTimer: undefined }
      const wait = Effect.async<boolean>((resume) => {
        waiter.resume = (granted) => resume(Effect.succeed(granted))
        this.enqueue(waiter)
        const timeout = this.settings.queueTimeoutMillis
        if (timeout !== undefined) {
          waiter.cancelTimer = schedule(clock, timeout, () => {
            if (waiter.granted) return
            this.remove(waiter)
            const r = waiter.resume
            waiter.resume = undefined
            r?.(false)
          })
        }
        return Effect.sync(() => {
          waiter.cancelTimer?.()
          waiter.resume = undefined
          this.remove(waiter)
        })
      })
      return Effect.onInterrupt(wait, () =>
        Effect.sync(() => {
          if (waiter.granted) {
            waiter.granted = false
            this.release()
          }
        }))
    })
  }
}
