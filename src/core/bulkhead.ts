/**
 * The bookkeeping of a bulkhead: how many attempts run, and the FIFO queue of those waiting for a slot. How a
 * waiter suspends and is woken (and its queue timeout) belongs to the face that owns the waiters; no `effect`
 * import here.
 * @internal
 */

/**
 * The defaults of a client's bulkhead (both editions): 1000 attempts at once, no queue.
 * @internal
 */
export const bulkheadDefaults = {
  maxConcurrent: 1000,
  maxQueue: 0
} as const

/**
 * The limits of a bulkhead.
 * @internal
 */
export interface BulkheadLimits {
  readonly maxConcurrent: number
  readonly maxQueue: number
}

/**
 * A counter of running attempts and a FIFO queue of waiters `W` for the rare overflow. Acquiring a free slot is a
 * comparison and an increment; a released slot goes straight to the oldest waiter (`release` returns it, the slot
 * now its own), so the count of running attempts never dips while someone waits. Nothing is allocated per attempt.
 * @internal
 */
export class BulkheadSlots<W> {
  /** Attempts holding a slot. */
  active = 0
  private readonly waiters: Array<W> = []

  constructor(readonly settings: BulkheadLimits) {}

  /** Waiters in the queue. */
  get queued(): number {
    return this.waiters.length
  }

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.active < this.settings.maxConcurrent) {
      this.active++
      return true
    }
    return false
  }

  /** Whether the queue has room for one more waiter. */
  canQueue(): boolean {
    return this.waiters.length < this.settings.maxQueue
  }

  /** Puts `waiter` at the end of the queue (check {@link canQueue} first). */
  enqueue(waiter: W): void {
    this.waiters.push(waiter)
  }

  /** Takes `waiter` out of the queue (its wait timed out or was given up); nothing if it is not there. */
  remove(waiter: W): void {
    const index = this.waiters.indexOf(waiter)
    if (index >= 0) this.waiters.splice(index, 1)
  }

  /**
   * Gives back a slot: to the oldest waiter, which leaves the queue and is returned (the slot is now its own), or,
   * with nobody waiting, to the pool (`undefined`).
   */
  handOver(): W | undefined {
    const next = this.waiters.shift()
    if (next === undefined) this.active--
    return next
  }
}
