/** @internal */
import * as Chunk from "effect/Chunk"
import type * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import { BufferedResponse } from "./response.js"

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

/** The response whose body an error keeps alive (its own; a retry budget's refusal: its last error's). */
const errorBody = (error: HttpResilientError): BufferedResponse | undefined => {
  const last = error._tag === "RetryBudgetExhaustedError" ? error.lastError : error
  return last._tag === "StatusError" && last.response instanceof BufferedResponse ? last.response : undefined
}

/** The response whose body an event keeps alive, if any. */
const bodyOf = (event: ResilientEvent): BufferedResponse | undefined =>
  "error" in event && event.error !== undefined ? errorBody(event.error) : undefined

/** The body bytes an event keeps alive. @internal */
export const weightOf = (event: ResilientEvent): number => bodyOf(event)?.bytes.byteLength ?? 0

const variance = { _A: (_: any) => _ }

/**
 * A sliding ring of events: an offer never fails; when the ring is full, or the bodies its events keep alive pass
 * `maxBytes`, the oldest events are dropped (and counted by `onDrop`).
 */
class Backlog implements Queue.BackingQueue<ResilientEvent> {
  readonly [Queue.BackingQueueTypeId] = variance as any
  private readonly items: Array<ResilientEvent | undefined>
  /**
   * the bodies the held events keep alive, each counted once however many events carry it (a call's AttemptFailed
   * and Failed carry the same error): how many held events carry it
   */
  private readonly bodies = new Map<BufferedResponse, number>()
  private head = 0
  private size = 0
  private bytes = 0

  constructor(
    private readonly max: number,
    private readonly maxBytes: number,
    private readonly onDrop: (count: number) => void
  ) {
    this.items = new Array(max)
  }

  private shift(): ResilientEvent {
    const item = this.items[this.head]!
    this.items[this.head] = undefined
    this.release(item)
    this.head = (this.head + 1) % this.max
    this.size--
    return item
  }

  poll<Def>(def: Def): ResilientEvent | Def {
    return this.size === 0 ? def : this.shift()
  }

  pollUpTo(limit: number): Chunk.Chunk<ResilientEvent> {
    const out: Array<ResilientEvent> = []
    while (this.size > 0 && out.length < limit) out.push(this.shift())
    return Chunk.unsafeFromArray(out)
  }

  /** What holding `event` adds to the bytes kept alive: its body's size unless a held event already carries it. */
  private weightIn(event: ResilientEvent): number {
    const body = bodyOf(event)
    if (body === undefined) return 0
    return this.bodies.has(body) ? 0 : body.bytes.byteLength
  }

  private hold(event: ResilientEvent): void {
    const body = bodyOf(event)
    if (body === undefined) return
    const count = this.bodies.get(body) ?? 0
    if (count === 0) this.bytes += body.bytes.byteLength
    this.bodies.set(body, count + 1)
  }

  /** Forgets that `event` carries its body: its bytes are given back when no held event carries it. */
  private release(event: ResilientEvent): void {
    const body = bodyOf(event)
    if (body === undefined) return
    const count = this.bodies.get(body)! - 1
    if (count === 0) {
      this.bodies.delete(body)
      this.bytes -= body.bytes.byteLength
    } else {
      this.bodies.set(body, count)
    }
  }

  offer(event: ResilientEvent): boolean {
    let weight = this.weightIn(event)
    let dropped = 0
    while (this.size > 0 && (this.size >= this.max || this.bytes + weight > this.maxBytes)) {
      this.shift()
      dropped++
      weight = this.weightIn(event)
    }
    const tail = (this.head + this.size) % this.max
    this.items[tail] = event
    this.hold(event)
    this.size++
    if (dropped > 0) this.onDrop(dropped)
    return true
  }

  offerAll(events: Iterable<ResilientEvent>): Chunk.Chunk<ResilientEvent> {
    for (const event of events) this.offer(event)
    return Chunk.empty()
  }

  capacity(): number {
    return this.max
  }

  length(): number {
    return this.size
  }
}

/**
 * A subscription's queue: sliding, at most `max` events and `maxBytes` of response bodies kept alive by them; each
 * event dropped to make room is counted by `onDrop`.
 * @internal
 */
export const make = (
  onDrop: (count: number) => void,
  max: number = capacity,
  maxBytes: number = maxBodyBytes
): Effect.Effect<Queue.Queue<ResilientEvent>> => Queue.make(new Backlog(max, maxBytes, onDrop), Queue.slidingStrategy())
