/** @internal */
import * as Effect from "effect/Effect"
import type { Socket } from "node:net"
import * as Undici from "undici"

type Connector = Undici.buildConnector.connector
type ConnectOptions = Undici.buildConnector.Options

/**
 * Sockets opened ahead of demand, handed to the pool's connector.
 *
 * undici opens a connection only when a request is queued on one of a pool's clients, and offers no way to
 * open one without a request. So the pool's connector goes through `connector` here: when a pool client needs a
 * socket to an origin, it is given a warm one if any is still open, else a new one from undici's own connector
 * (same TLS, timeout and lookup settings). `warm` opens sockets with that same connector and parks them; the next
 * that many connections the pool makes to the origin are these, so no request waits for a handshake.
 * @internal
 */
export interface WarmPool {
  readonly connector: Connector
  /** Opens sockets to `origin` until `connections` are parked; fails with the first connect error. */
  readonly warm: (origin: URL, connections: number) => Effect.Effect<void, unknown>
  /** Sockets parked for `origin` and still open. */
  readonly parked: (origin: URL) => number
  /** Destroys every parked socket. */
  readonly close: () => void
}

const keyOf = (protocol: string, host: string) => `${protocol}//${host}`

type Spares = Map<string, Set<Socket>>

/** Parks `socket` under `key` until taken, closed, failed or idle for `idleMillis`. */
const park = (spares: Spares, key: string, socket: Socket, idleMillis: number) => {
  let set = spares.get(key)
  if (set === undefined) spares.set(key, set = new Set())
  set.add(socket)
  const drop = () => {
    set.delete(socket)
    if (set.size === 0 && spares.get(key) === set) spares.delete(key)
  }
  const onError = () => socket.destroy()
  const onIdle = () => socket.destroy()
  socket.once("close", drop)
  socket.on("error", onError)
  socket.setTimeout(idleMillis, onIdle)
  ;(socket as any)[kRelease] = () => {
    socket.removeListener("close", drop)
    socket.removeListener("error", onError)
    socket.setTimeout(0)
    socket.removeListener("timeout", onIdle)
    drop()
  }
}

/** A parked socket to `key` still open, released from parking; the closed ones met on the way are destroyed. */
const take = (spares: Spares, key: string): Socket | undefined => {
  const set = spares.get(key)
  if (set === undefined) return undefined
  for (const socket of set) {
    ;(socket as any)[kRelease]()
    if (!socket.destroyed && socket.readyState === "open") return socket
    socket.destroy()
  }
  return undefined
}

/** Sockets parked for `origin` and still open. */
const parkedTo = (spares: Spares, origin: URL) => {
  let open = 0
  for (const socket of spares.get(keyOf(origin.protocol, origin.host)) ?? []) {
    if (!socket.destroyed && socket.readyState === "open") open++
  }
  return open
}

/** Opens one socket to `origin` with undici's connector `base`; destroyed when interrupted. */
const openOne = (base: Connector, origin: URL): Effect.Effect<Socket, unknown> =>
  Effect.async<Socket, unknown>((resume) => {
    let socket: Socket | undefined
    try {
      const options: ConnectOptions = {
        hostname: origin.hostname.startsWith("[") ? origin.hostname.slice(1, -1) : origin.hostname,
        host: origin.host,
        protocol: origin.protocol,
        port: origin.port,
        servername: undefined as any,
        localAddress: null
      }
      socket = base(options, (error, opened) => {
        if (error) resume(Effect.fail(error))
        else resume(Effect.succeed(opened as unknown as Socket))
      }) as unknown as Socket
    } catch (error) {
      resume(Effect.fail(error))
    }
    return Effect.sync(() => socket?.destroy())
  })

/**
 * @param connectOptions what undici's connector is built from (TLS, timeout, lookup)
 * @param idleMillis a parked socket unused this long is closed, like an idle keep-alive connection
 * @internal
 */
export const make = (connectOptions: Record<string, unknown>, idleMillis: number): WarmPool => {
  const base = Undici.buildConnector(connectOptions as any)
  const spares: Spares = new Map()

  const connector: Connector = (options, callback) => {
    const socket = take(spares, keyOf(options.protocol, options.host ?? options.hostname))
    if (socket !== undefined) {
      // undici's connect step expects the callback later, as a real connect would call it: called synchronously,
      // the client's resume is re-entered and the queued request is never written
      queueMicrotask(() => callback(null, socket as any))
      return socket as any
    }
    return base(options, callback)
  }

  const parked = (origin: URL) => parkedTo(spares, origin)

  const warm = (origin: URL, connections: number): Effect.Effect<void, unknown> =>
    Effect.suspend(() => {
      const missing = Math.max(0, connections - parked(origin))
      const key = keyOf(origin.protocol, origin.host)
      return Effect.forEach(
        Array.from({ length: missing }),
        () => Effect.map(openOne(base, origin), (socket) => park(spares, key, socket, idleMillis)),
        { concurrency: "unbounded", discard: true }
      )
    })

  const close = () => {
    for (const set of spares.values()) {
      for (const socket of set) socket.destroy()
    }
    spares.clear()
  }

  return { connector, warm, parked, close }
}

const kRelease = Symbol.for("effect-http-resilient/warmUp/release")
