/** @internal */
import * as Chunk from "effect/Chunk"
import type * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Core from "../core/eventBacklog.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import { BufferedResponse } from "./response.js"

/**
 * The most events a subscription holds before its oldest are dropped.
 * @internal
 */
export const capacity = Core.capacity

/**
 * The most response-body bytes the events a subscription holds may keep alive; past it the oldest events are
 * dropped. The newest event is always kept.
 * @internal
 */
export const maxBodyBytes = Core.maxBodyBytes

/** The response whose body an event keeps alive, if any (the core's rule, over this edition's responses). */
const bodyOf = (event: ResilientEvent): BufferedResponse | undefined => {
  const response = Core.responseOf(event)
  return response instanceof BufferedResponse ? response : undefined
}

const bytesOf = (body: BufferedResponse): number => body.bytes.byteLength

const variance = { _A: (_: any) => _ }

/** The core's ring as the backing of an Effect `Queue`: an offer never fails. */
class Backlog implements Queue.BackingQueue<ResilientEvent> {
  readonly [Queue.BackingQueueTypeId] = variance as any
  private readonly ring: Core.EventRing<ResilientEvent, BufferedResponse>

  constructor(max: number, maxBytes: number, onDrop: (count: number) => void) {
    this.ring = new Core.EventRing(max, maxBytes, bodyOf, bytesOf, onDrop)
  }

  poll<Def>(def: Def): ResilientEvent | Def {
    return this.ring.poll() ?? def
  }

  pollUpTo(limit: number): Chunk.Chunk<ResilientEvent> {
    return Chunk.unsafeFromArray(this.ring.pollUpTo(limit))
  }

  offer(event: ResilientEvent): boolean {
    this.ring.offer(event)
    return true
  }

  offerAll(events: Iterable<ResilientEvent>): Chunk.Chunk<ResilientEvent> {
    for (const event of events) this.ring.offer(event)
    return Chunk.empty()
  }

  capacity(): number {
    return this.ring.max
  }

  length(): number {
    return this.ring.size
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
