/**
 * Sockets opened ahead of demand, handed to the pool's connector. Effect-free: each edition wraps `open` in its own
 * Effect (interruption destroys the socket).
 *
 * undici opens a connection only when a request is queued on one of a pool's clients, and offers no way to
 * open one without a request. So the pool's connector goes through `connector` here: when a pool client needs a
 * socket to an origin, it is given a warm one if any is still open, else a new one from undici's own connector
 * (same TLS, timeout and lookup settings). `open` opens sockets with that same connector and parks them; the next
 * that many connections the pool makes to the origin are these, so no request waits for a handshake.
 * @internal
 */
import type { Socket } from "node:net"
import * as Undici from "undici"

type Connector = Undici.buildConnector.connector
type ConnectOptions = Undici.buildConnector.Options

/** @internal */
export interface WarmPool {
  readonly connector: Connector
  /** How many more sockets to `origin` must be opened for `connections` to be parked. */
  readonly missing: (origin: URL, connections: number) => number
  /**
   * Opens one socket to `origin` and parks it; `done` is called once, with the connect error if it failed.
   * Returns what stops it: the socket is destroyed (and `done` never called).
   */
  readonly open: (origin: URL, done: (error?: unknown) => void) => () => void
  /** Sockets parked for `origin` and still open. */
  readonly parked: (origin: URL) => number
  /** Destroys every parked socket. */
  readonly close: () => void
}

const keyOf = (protocol: string, host: string) => `${protocol}//${host}`

type Spares = Map<string, Set<Socket>>

const kRelease = Symbol.for("effect-http-resilient/warmUp/release")

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

/** Opens one socket to `origin` with undici's connector `base`; `done(error, socket)` once; returns a canceller. */
const openOne = (base: Connector, origin: URL, done: (error: unknown, socket?: Socket) => void): () => void => {
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
      if (error) done(error)
      else done(undefined, opened as unknown as Socket)
    }) as unknown as Socket
  } catch (error) {
    done(error)
  }
  return () => socket?.destroy()
}

/**
 * @param connectOptions what undici's connector is built from (TLS, timeout, lookup)
 * @param idleMillis a parked socket unused this long is closed, like an idle keep-alive connection
 * @internal
 */
export const makeWarmPool = (connectOptions: Record<string, unknown>, idleMillis: number): WarmPool => {
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

  const open = (origin: URL, done: (error?: unknown) => void) => {
    let stopped = false
    const cancel = openOne(base, origin, (error, socket) => {
      if (stopped) return socket?.destroy()
      if (socket === undefined) return done(error)
      park(spares, keyOf(origin.protocol, origin.host), socket, idleMillis)
      done()
    })
    return () => {
      stopped = true
      cancel()
    }
  }

  const close = () => {
    for (const set of spares.values()) {
      for (const socket of set) socket.destroy()
    }
    spares.clear()
  }

  return {
    connector,
    missing: (origin, connections) => Math.max(0, connections - parked(origin)),
    open,
    parked,
    close
  }
}
