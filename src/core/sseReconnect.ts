/**
 * The rules of an event stream that reconnects (`sse`), shared by both editions: the request headers, what a
 * stream remembers across connections (`Last-Event-ID`, the server's `retry:` delay, the ids already delivered),
 * and what a reconnect after a drop waits for. Effect-free; the editions wire it to their streams and policies.
 * @internal
 */
import type { SseEvent } from "./sse.js"

/**
 * The headers an event stream's requests carry (under the request's own).
 * @internal
 */
export const sseRequestHeaders: Readonly<Record<string, string>> = {
  accept: "text/event-stream",
  "cache-control": "no-cache"
}

/** How many delivered ids an event stream remembers, to deliver none twice. */
const RECENT_IDS = 1024

/**
 * How to reconnect after a drop: whether the retry policy starts over (the connection delivered events), whether
 * it must be asked (its backoff, its limit), and the server's `retry:` delay to wait (milliseconds), if it sent one.
 * @internal
 */
export interface Reconnect {
  readonly resetPolicy: boolean
  readonly askPolicy: boolean
  readonly waitMillis: number | undefined
}

/**
 * What an event stream remembers across its connections.
 * @internal
 */
export class EventLog {
  /** what the next connection sends as `Last-Event-ID` */
  lastEventId: string | undefined
  /** the server's last `retry:` delay, in milliseconds */
  serverRetry: number | undefined = undefined
  /** the server ended the stream (204) */
  stopped = false
  /** an event was delivered since the last drop */
  receivedSinceDrop = false
  /** the ids of the last `RECENT_IDS` events delivered, oldest first */
  readonly #recent = new Set<string>()
  readonly #recentOrder: Array<string> = []

  /** `lastEventId`: the `lastEventId` option, sent on the first connection. */
  constructor(lastEventId: string | undefined) {
    this.lastEventId = lastEventId
  }

  /** The headers of the next connection's request: `Last-Event-ID` when an id is known. */
  headers(): Record<string, string> | undefined {
    return this.lastEventId === undefined ? undefined : { "last-event-id": this.lastEventId }
  }

  /**
   * The events not delivered before (by id), noting the last id (an empty `id:` forgets it) and the chunk's
   * `retry:` delay (`retryMillis`).
   */
  fresh<E extends SseEvent>(events: ReadonlyArray<E>, retryMillis: number | undefined): Array<E> {
    if (retryMillis !== undefined) this.serverRetry = retryMillis
    const out: Array<E> = []
    for (const event of events) {
      const id = event.id
      if (id !== undefined) {
        this.lastEventId = id === "" ? undefined : id
        if (id !== "") {
          if (this.#recent.has(id)) continue
          this.#recent.add(id)
          this.#recentOrder.push(id)
          if (this.#recentOrder.length > RECENT_IDS) this.#recent.delete(this.#recentOrder.shift()!)
        }
      }
      out.push(event)
    }
    if (out.length > 0) this.receivedSinceDrop = true
    return out
  }

  /**
   * How to reconnect after a drop. A connection that delivered events resets the policy; one that delivered
   * nothing counts against it (its backoff grows, then it gives up), so a server that keeps dropping at once is not
   * reconnected to in a tight loop forever; the policy is asked too when the server sent no `retry:` (its backoff
   * is then the wait).
   */
  afterDrop(): Reconnect {
    const progressed = this.receivedSinceDrop
    this.receivedSinceDrop = false
    return {
      resetPolicy: progressed,
      askPolicy: !progressed || this.serverRetry === undefined,
      waitMillis: this.serverRetry
    }
  }
}
