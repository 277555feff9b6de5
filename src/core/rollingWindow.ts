/**
 * Two counters over a rolling time window: the window of the ratio circuit breaker (successes, failures) and of the
 * retry budget (requests, retries). Plain numbers, no `effect` import: the caller passes the time.
 * @internal
 */

/**
 * What a {@link RollingCounters} holds, as plain data (for `toJSON` and to restore one).
 * @internal
 */
export interface RollingCountersSnapshot {
  /** The index of the current slice (`Math.floor(time / sliceMillis)`), `null` before the first count. */
  readonly slice: number | null
  /** The first counter of each slot, in slot order (`buckets + 1` entries). */
  readonly first: ReadonlyArray<number>
  /** The second counter of each slot, in slot order (`buckets + 1` entries). */
  readonly second: ReadonlyArray<number>
}

/**
 * Two counters over a rolling time window, kept in buckets: O(1) per update, no allocation after construction.
 *
 * The window is cut into `buckets` slices; the sums cover the current slice and the `buckets` full slices
 * before it, so nothing is forgotten sooner than `windowMillis` after it was counted (and nothing is kept
 * more than one slice longer). Time comes from the caller (epoch ms, read from the `Clock` by the Effect face).
 * @internal
 */
export class RollingCounters {
  private readonly sliceMillis: number
  private readonly slots: number
  private readonly first: Float64Array
  private readonly second: Float64Array
  private current = Number.NaN
  /** The sum of the first counter over the window. */
  firstSum = 0
  /** The sum of the second counter over the window. */
  secondSum = 0

  constructor(windowMillis: number, buckets = 10) {
    this.sliceMillis = windowMillis / buckets
    this.slots = buckets + 1
    this.first = new Float64Array(this.slots)
    this.second = new Float64Array(this.slots)
  }

  /** Moves the window to `now`, dropping the slices that fell out of it. */
  advance(now: number): void {
    const index = Math.floor(now / this.sliceMillis)
    if (Number.isNaN(this.current)) {
      this.current = index
      return
    }
    if (index <= this.current) return
    const gap = index - this.current
    if (gap >= this.slots) {
      this.first.fill(0)
      this.second.fill(0)
      this.firstSum = 0
      this.secondSum = 0
    } else {
      for (let i = 1; i <= gap; i++) {
        const slot = (this.current + i) % this.slots
        this.firstSum -= this.first[slot]
        this.secondSum -= this.second[slot]
        this.first[slot] = 0
        this.second[slot] = 0
      }
    }
    this.current = index
  }

  /** Counts one in the first counter at `now`. */
  addFirst(now: number): void {
    this.advance(now)
    this.first[this.current % this.slots]++
    this.firstSum++
  }

  /** Counts one in the second counter at `now`. */
  addSecond(now: number): void {
    this.advance(now)
    this.second[this.current % this.slots]++
    this.secondSum++
  }

  /** Forgets everything. */
  clear(): void {
    this.first.fill(0)
    this.second.fill(0)
    this.firstSum = 0
    this.secondSum = 0
  }

  /** The counters as plain data; {@link RollingCounters.restore} reads it back. */
  toJSON(): RollingCountersSnapshot {
    return {
      slice: Number.isNaN(this.current) ? null : this.current,
      first: Array.from(this.first),
      second: Array.from(this.second)
    }
  }

  /**
   * Takes the counts of `snapshot` (made by {@link RollingCounters.toJSON} of a window of the same length and
   * buckets); a snapshot of another shape is ignored and the window starts empty.
   */
  restore(snapshot: RollingCountersSnapshot): void {
    this.clear()
    this.current = Number.NaN
    if (snapshot.first.length !== this.slots || snapshot.second.length !== this.slots) return
    this.first.set(snapshot.first)
    this.second.set(snapshot.second)
    for (let i = 0; i < this.slots; i++) {
      this.firstSum += this.first[i]
      this.secondSum += this.second[i]
    }
    this.current = snapshot.slice === null ? Number.NaN : snapshot.slice
  }
}
