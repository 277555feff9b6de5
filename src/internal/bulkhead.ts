/** @internal */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { schedule } from "./timer.js"

/** @internal */
export interface BulkheadOptions {
  readonly maxConcurrent?: number | undefined
  readonly maxQueue?: number | undefined
  readonly queueTimeout?: Duration.DurationInput | undefined
}

/** @internal */
export const defaults = {
  maxConcurrent: 1000,
  maxQueue: 0
} as const

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
 * A counter of running attempts and a FIFO queue for the rare overflow. Acquiring a free slot is a
 * comparison and an increment — no fiber, no race; only a queued attempt suspends (`Effect.async`, with its
 * queue timeout on the `Clock`). A released slot goes straight to the oldest waiter.
 * @internal
 */
export class Bulkhead {
  active = 0
  private readonly waiters: Array<Waiter> = []

  constructor(readonly settings: BulkheadSettings) {}

  get queued(): number {
    return this.waiters.length
  }

  tryAcquire(): boolean {
    if (this.active < this.settings.maxConcurrent) {
      this.active++
      return true
    }
    return false
  }

  canQueue(): boolean {
    return this.waiters.length < this.settings.maxQueue
  }

  release(): void {
    const next = this.waiters.shift()
    if (next === undefined) {
      this.active--
      return
    }
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
        this.waiters.push(waiter)
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

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter)
    if (index >= 0) this.waiters.splice(index, 1)
  }
}
