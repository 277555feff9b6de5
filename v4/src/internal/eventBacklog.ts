/**
 * The client's events as a v4 `PubSub` whose every subscription has a backlog of its own, bounded by the shared
 * core's rule (`src/core/eventBacklog.ts`, the root entry's): at most `capacity` events and `maxBodyBytes` of response
 * bodies kept alive by them; past either the oldest are dropped (the newest is always kept) and counted in
 * `http_resilient.events.dropped`. A publish never waits and never fails.
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as MutableList from "effect/MutableList"
import * as PubSub from "effect/PubSub"
import * as Core from "../../../src/core/eventBacklog.js"
import type { ResilientEvent } from "../ResilientEvent.js"
import { BufferedResponse } from "./response.js"

/** The response whose body an event keeps alive, if any (the core's rule, over this edition's responses). */
const bodyOf = (event: ResilientEvent): BufferedResponse | undefined => {
  const response = Core.responseOf(event)
  return response instanceof BufferedResponse ? response : undefined
}

const bytesOf = (body: BufferedResponse): number => body.byteLength

/** One subscription's backlog. */
class Backlog implements PubSub.PubSub.BackingSubscription<ResilientEvent> {
  readonly ring: Core.EventRing<ResilientEvent, BufferedResponse>
  constructor(
    private readonly hub: Hub,
    max: number,
    maxBytes: number,
    onDrop: (count: number) => void
  ) {
    this.ring = new Core.EventRing(max, maxBytes, bodyOf, bytesOf, onDrop)
  }
  isEmpty(): boolean {
    return this.ring.size === 0
  }
  size(): number {
    return this.ring.size
  }
  poll(): ResilientEvent | MutableList.Empty {
    return this.ring.poll() ?? MutableList.Empty
  }
  pollUpTo(n: number): Array<ResilientEvent> {
    return this.ring.pollUpTo(n)
  }
  unsubscribe(): void {
    this.hub.backlogs.delete(this)
    this.ring.clear()
  }
}

const noReplay: PubSub.PubSub.ReplayWindow<ResilientEvent> = {
  remaining: 0,
  take: () => undefined,
  takeN: () => [],
  takeAll: () => [],
  close: () => undefined
}

/** The subscriptions' backlogs: a publish offers to each. */
class Hub implements PubSub.PubSub.Atomic<ResilientEvent> {
  readonly backlogs = new Set<Backlog>()
  constructor(
    readonly capacity: number,
    private readonly maxBytes: number,
    private readonly onDrop: (count: number) => void
  ) {}
  isEmpty(): boolean {
    return this.size() === 0
  }
  /** never full: a backlog makes room by dropping its oldest */
  isFull(): boolean {
    return false
  }
  size(): number {
    let most = 0
    for (const backlog of this.backlogs) most = Math.max(most, backlog.size())
    return most
  }
  publish(value: ResilientEvent): boolean {
    for (const backlog of this.backlogs) backlog.ring.offer(value)
    return true
  }
  publishAll(elements: Iterable<ResilientEvent>): Array<ResilientEvent> {
    for (const element of elements) this.publish(element)
    return []
  }
  slide(): void {}
  subscribe(): Backlog {
    const backlog = new Backlog(this, this.capacity, this.maxBytes, this.onDrop)
    this.backlogs.add(backlog)
    return backlog
  }
  replayWindow(): PubSub.PubSub.ReplayWindow<ResilientEvent> {
    return noReplay
  }
}

/**
 * The client's events: each subscription holds at most `max` events and `maxBytes` of response bodies kept alive by
 * them; each event dropped to make room is counted by `onDrop`.
 * @internal
 */
export const make = (
  onDrop: (count: number) => void,
  max: number = Core.capacity,
  maxBytes: number = Core.maxBodyBytes
): Effect.Effect<PubSub.PubSub<ResilientEvent>> =>
  PubSub.make({
    atomicPubSub: () => new Hub(max, maxBytes, onDrop),
    strategy: () => new PubSub.SlidingStrategy()
  })
