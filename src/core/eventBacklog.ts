/**
 * A subscription's backlog of events, bounded the same way in both editions: at most `capacity` events, and at most
 * `maxBodyBytes` of response bodies kept alive by the errors they carry. Past either, the oldest events are dropped
 * (the newest is always kept) and counted. Effect-free: each edition wraps it in its own queue or subscription.
 * @internal
 */

/**
 * The most events a subscription holds before its oldest are dropped.
 * @internal
 */
export const capacity = 1024

/**
 * The most response-body bytes the events a subscription holds may keep alive (an error carries its response, body
 * in memory); past it the oldest events are dropped. The newest event is always kept.
 * @internal
 */
export const maxBodyBytes = 16 * 1024 * 1024

/** The fields of an error the rule reads. */
interface ErrorLike {
  readonly _tag: string
  readonly lastError?: ErrorLike
  readonly response?: unknown
}

/**
 * The response an event keeps alive through its error: whatever response the error carries (a `StatusError`'s, a
 * `ResponseRejectedError`'s; a retry budget's refusal: its last error's); `undefined` for an event without one. Each
 * edition keeps it when it is its response with the body in memory.
 * @internal
 */
export const responseOf = (event: object): unknown => {
  const error = (event as { readonly error?: ErrorLike | undefined }).error
  if (error === undefined) return undefined
  const last = error._tag === "RetryBudgetExhaustedError" ? error.lastError : error
  return last?.response
}

/**
 * A sliding ring of events: an offer always takes the event; when the ring is full, or the bodies its events keep
 * alive would pass `maxBytes`, the oldest events are dropped first (and counted by `onDrop`). A body carried by
 * several held events (a call's `AttemptFailed` and `Failed` carry the same error) counts once.
 * @internal
 */
export class EventRing<E, B extends object> {
  private readonly items: Array<E | undefined>
  /** the bodies the held events keep alive: how many held events carry each */
  private readonly bodies = new Map<B, number>()
  private head = 0
  private count = 0
  private bytes = 0

  constructor(
    /** at most this many events */
    readonly max: number,
    /** at most this many body bytes kept alive */
    private readonly maxBytes: number,
    /** the body an event keeps alive, if any */
    private readonly bodyOf: (event: E) => B | undefined,
    /** a body's size in bytes */
    private readonly bytesOf: (body: B) => number,
    /** told how many events an offer dropped, when it dropped any */
    private readonly onDrop: (count: number) => void
  ) {
    this.items = new Array(max)
  }

  /** How many events are held. */
  get size(): number {
    return this.count
  }

  /** Takes the oldest event (`undefined` when empty). */
  poll(): E | undefined {
    return this.count === 0 ? undefined : this.shift()
  }

  /** Takes up to `limit` of the oldest events, oldest first. */
  pollUpTo(limit: number): Array<E> {
    const out: Array<E> = []
    while (this.count > 0 && out.length < limit) out.push(this.shift())
    return out
  }

  /** Holds `event`, dropping the oldest events first while the ring is full or the bodies would pass the bound. */
  offer(event: E): void {
    let weight = this.weightIn(event)
    let dropped = 0
    while (this.count > 0 && (this.count >= this.max || this.bytes + weight > this.maxBytes)) {
      this.shift()
      dropped++
      weight = this.weightIn(event)
    }
    this.items[(this.head + this.count) % this.max] = event
    this.hold(event)
    this.count++
    if (dropped > 0) this.onDrop(dropped)
  }

  /** Forgets every held event (uncounted: nobody will read them). */
  clear(): void {
    this.items.fill(undefined)
    this.bodies.clear()
    this.head = 0
    this.count = 0
    this.bytes = 0
  }

  private shift(): E {
    const item = this.items[this.head]!
    this.items[this.head] = undefined
    this.release(item)
    this.head = (this.head + 1) % this.max
    this.count--
    return item
  }

  /** What holding `event` adds to the bytes kept alive: its body's size unless a held event already carries it. */
  private weightIn(event: E): number {
    const body = this.bodyOf(event)
    if (body === undefined) return 0
    return this.bodies.has(body) ? 0 : this.bytesOf(body)
  }

  private hold(event: E): void {
    const body = this.bodyOf(event)
    if (body === undefined) return
    const count = this.bodies.get(body) ?? 0
    if (count === 0) this.bytes += this.bytesOf(body)
    this.bodies.set(body, count + 1)
  }

  /** Forgets that `event` carries its body: its bytes are given back when no held event carries it. */
  private release(event: E): void {
    const body = this.bodyOf(event)
    if (body === undefined) return
    const count = this.bodies.get(body)! - 1
    if (count === 0) {
      this.bodies.delete(body)
      this.bytes -= this.bytesOf(body)
    } else {
      this.bodies.set(body, count)
    }
  }
}
