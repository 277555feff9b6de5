/**
 * Real loopback servers for the shared behavioural suite, Effect-free (node: modules only) so both editions' runners
 * use them: an HTTP server with a log of what it received and when, a raw TCP server for resets and malformed
 * replies, a TLS server with a fresh self-signed certificate, and a port where nothing listens.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Received {
  readonly method: string
  /** path and query, as sent */
  readonly url: string
  /** lower-case names */
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  /** `performance.now()` when the request's head arrived */
  readonly at: number
}

export type Handler<R = Received> = (req: http.IncomingMessage, res: http.ServerResponse, received: R) => void

/** A server that records each request as an `R`. */
export interface ServerOf<R> {
  /** `http://127.0.0.1:port` (or https:) */
  readonly origin: string
  readonly port: number
  readonly received: Array<R>
  /** sockets open on the server */
  readonly sockets: Set<net.Socket>
  /** requests whose head arrived */
  count(): number
  close(): Promise<void>
}

export interface Server extends ServerOf<Received> {}

/** How a server records a request: from its head, its whole body and when its head arrived. */
export type Recorder<R> = (req: http.IncomingMessage, body: Buffer, at: number) => R

/** Listens on 127.0.0.1, a free port; the port. */
export const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))
  })

/** Closes `server` after destroying every socket in `sockets`. */
export const closer = (server: net.Server, ...sockets: ReadonlyArray<Set<net.Socket>>) => (): Promise<void> =>
  new Promise<void>((ok) => {
    for (const set of sockets) for (const socket of set) socket.destroy()
    server.close(() => ok())
  })

/** Keeps `sockets` the set of sockets open on `server` (`event`: the one that hands them over). */
export const track = (server: net.Server, sockets: Set<net.Socket>, event = "connection") =>
  server.on(event, (socket: net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => {})
  })

const recordText: Recorder<Received> = (req, body, at) => ({
  method: req.method ?? "",
  url: req.url ?? "",
  headers: req.headers,
  body: body.toString("utf8"),
  at
})

/** An HTTP(S) server made by `make`, recording each request with `record` before `handler` answers it. */
const serve = async <R>(
  make: (listener: http.RequestListener) => http.Server,
  scheme: "http" | "https",
  record: Recorder<R>,
  handler: Handler<R>
): Promise<ServerOf<R>> => {
  const received: Array<R> = []
  const sockets = new Set<net.Socket>()
  const server = make((req, res) => {
    const at = performance.now()
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const entry = record(req, Buffer.concat(chunks), at)
      received.push(entry)
      handler(req, res, entry)
    })
  })
  server.keepAliveTimeout = 60_000
  track(server, sockets, scheme === "https" ? "secureConnection" : "connection")
  const port = await listen(server)
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    port,
    received,
    sockets,
    count: () => received.length,
    close: closer(server, sockets)
  }
}

/** An HTTP server on 127.0.0.1 (a free port) recording each request with `record` and answering with `handler`. */
export const startRecordingServer = <R>(record: Recorder<R>, handler: Handler<R>): Promise<ServerOf<R>> =>
  serve(http.createServer, "http", record, handler)

/** An HTTP server on 127.0.0.1 (a free port) answering with `handler`. */
export const startServer = (handler: Handler): Promise<Server> => startRecordingServer(recordText, handler)

/** A server answering each request with `statuses[i]` (the last one repeated), empty bodies, optional headers. */
export const statusServer = (
  statuses: ReadonlyArray<number | { readonly status: number; readonly headers?: Record<string, string> }>
): Promise<Server> => {
  let i = 0
  return startServer((_req, res) => {
    const step = statuses[Math.min(i++, statuses.length - 1)]
    const { headers = {}, status } = typeof step === "number" ? { status: step } : step
    res.writeHead(status, headers)
    res.end(status === 200 ? "ok" : "")
  })
}

/** An HTTPS server with a fresh self-signed certificate for IP 127.0.0.1 (made by `openssl`); `cert` is its PEM. */
export const startTlsServer = async (handler: Handler): Promise<Server & { readonly cert: string }> => {
  const dir = mkdtempSync(join(tmpdir(), "ehr-shared-tls-"))
  try {
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem")
    ], { stdio: "ignore" })
    const cert = readFileSync(join(dir, "cert.pem"), "utf8")
    const key = readFileSync(join(dir, "key.pem"), "utf8")
    const server = await serve((listener) => https.createServer({ cert, key }, listener), "https", recordText, handler)
    return { ...server, cert }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface RawServer {
  readonly origin: string
  readonly port: number
  /** request lines seen, in order */
  readonly requests: Array<string>
  /** sockets open on the server */
  readonly sockets: Set<net.Socket>
  /** connections accepted so far */
  connections(): number
  close(): Promise<void>
}

/**
 * A TCP server that answers whatever the body writes: `onRequest(socket, head, index)` once per request head read on
 * a connection (`index` counts requests on that connection from 0). For resets and malformed replies.
 */
export const startRawServer = async (
  onRequest: (socket: net.Socket, head: string, index: number) => void
): Promise<RawServer> => {
  const requests: Array<string> = []
  const sockets = new Set<net.Socket>()
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    let buffer = ""
    let index = 0
    socket.on("data", (data) => {
      buffer += data.toString("latin1")
      let end: number
      while ((end = buffer.indexOf("\r\n\r\n")) !== -1) {
        const head = buffer.slice(0, end)
        buffer = buffer.slice(end + 4)
        const length = /content-length: *(\d+)/i.exec(head)
        if (length) buffer = buffer.slice(Number(length[1]))
        requests.push(head.split("\r\n")[0])
        onRequest(socket, head, index++)
      }
    })
  })
  track(server, sockets)
  const port = await listen(server)
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    sockets,
    connections: () => connections,
    close: closer(server, sockets)
  }
}

/** A port on 127.0.0.1 where nothing listens (a connection is refused). */
export const closedPort = async (): Promise<number> => {
  const server = net.createServer()
  const port = await listen(server)
  await new Promise<void>((ok) => server.close(() => ok()))
  return port
}

/** Starts the servers, runs `body` with them, then closes them whatever happened. */
export const withServers = async <const S extends ReadonlyArray<Promise<{ close(): Promise<void> }>>>(
  starting: S,
  body: (...servers: { -readonly [K in keyof S]: Awaited<S[K]> }) => Promise<void>
): Promise<void> => {
  const settled = await Promise.allSettled(starting)
  const started = settled.flatMap((s) => s.status === "fulfilled" ? [s.value] : [])
  try {
    for (const s of settled) if (s.status === "rejected") throw s.reason
    await body(...(started as { -readonly [K in keyof S]: Awaited<S[K]> }))
  } finally {
    await Promise.all(started.map((s) => s.close()))
  }
}

/** Milliseconds between consecutive requests' arrivals. */
export const gaps = (received: ReadonlyArray<Received>): Array<number> =>
  received.slice(1).map((r, i) => r.at - received[i].at)
