/**
 * Which connections a dispatcher opened, per origin, from its `connect` events: what tells a reset on a reused
 * keep-alive socket (safe to send once more) from a reset on a fresh one. Bounded: at most `maxLoggedOrigins`
 * origins are remembered. Effect-free.
 * @internal
 */
import type * as Undici from "undici"

/**
 * What a dispatcher's `connect` events tell: each connection's sequence number and, for the origins connected to
 * most recently (at most `maxLoggedOrigins`), the last one's; `floor` is the newest number forgotten with an origin.
 */
interface ConnectLog {
  seq: number
  floor: number
  /** origin → sequence number of its last connection, least recent first */
  readonly last: Map<string, number>
}

const connectLogs = new WeakMap<Undici.Dispatcher, ConnectLog>()
const maxLoggedOrigins = 1024

const connectLogOf = (dispatcher: Undici.Dispatcher): ConnectLog => {
  let log = connectLogs.get(dispatcher)
  if (log === undefined) {
    const created: ConnectLog = { seq: 0, floor: 0, last: new Map() }
    log = created
    connectLogs.set(dispatcher, created)
    dispatcher.on("connect", (connected: URL | string) => {
      const key = typeof connected === "string" ? new URL(connected).origin : connected.origin
      const seq = ++created.seq
      created.last.delete(key)
      created.last.set(key, seq)
      if (created.last.size > maxLoggedOrigins) {
        // the least recent origin has the smallest number: the floor only grows
        const [oldest, oldestSeq] = created.last.entries().next().value!
        created.last.delete(oldest)
        created.floor = oldestSeq
      }
    })
  }
  return log
}

/**
 * Whether the dispatcher may have opened a connection to `origin` since `seq` (its `connectSeq` when a request was
 * dispatched; counting starts with the first exchange). A reset with no new connection since means the request went
 * out on a reused keep-alive socket. For an origin forgotten (past `maxLoggedOrigins`) the answer is yes when any
 * forgotten origin connected since: never a wrong no.
 * @internal
 */
export const connectedSince = (dispatcher: Undici.Dispatcher, origin: string, seq: number): boolean => {
  const log = connectLogOf(dispatcher)
  return (log.last.get(origin) ?? log.floor) > seq
}

/** The dispatcher's connection count so far (see `connectedSince`). @internal */
export const connectSeq = (dispatcher: Undici.Dispatcher): number => connectLogOf(dispatcher).seq

/** How many origins the dispatcher's connect log remembers (at most 1,024). @internal */
export const loggedOrigins = (dispatcher: Undici.Dispatcher): number => connectLogOf(dispatcher).last.size
