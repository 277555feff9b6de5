/**
 * A real HTTP server on 127.0.0.1 for tests: scripted handlers, a log of what it received,
 * and a count of the sockets open on it.
 */
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: Buffer
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, received: Received) => void

export interface TestServer {
  readonly url: string
  readonly port: number
  readonly received: Array<Received>
  readonly sockets: Set<Socket>
  /** number of requests whose handler started */
  count(): number
  /** wait (real time, bounded) until `predicate` holds */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export const startServer = (handler: Handler): Promise<TestServer> =>
  new Promise((resolve, reject) => {
    const received: Array<Received> = []
    const sockets = new Set<Socket>()
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const entry: Received = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks)
        }
        received.push(entry)
        handler(req, res, entry)
      })
    })
    server.keepAliveTimeout = 60_000
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        received,
        sockets,
        count: () => received.length,
        waitFor: (predicate, timeoutMs = 5_000) => pollUntil(predicate, timeoutMs),
        close: () =>
          new Promise<void>((ok) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => ok())
          })
      })
    })
  })

/** A server as a scoped resource: started for the test, closed after it. */
export const serverScoped = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.promise(() => startServer(handler)),
    (server) => Effect.promise(() => server.close())
  )

/** A server that answers 503, 503, 200, 503, 503, 200 … (with empty bodies). */
export const flakyServer = () => {
  let n = 0
  return serverScoped((_req, res) => {
    n++
    res.statusCode = n % 3 === 0 ? 200 : 503
    res.end()
  })
}

/** A port on 127.0.0.1 where nothing listens. */
export const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = http.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** Polls `predicate` every 5 ms of real time until it holds, or fails after `timeoutMs`. */
const pollUntil = (predicate: () => boolean, timeoutMs: number): Promise<void> =>
  new Promise<void>((ok, fail) => {
    const start = Date.now()
    const tick = () => {
      if (predicate()) return ok()
      if (Date.now() - start > timeoutMs) return fail(new Error("waitUntil: condition not met in time"))
      setTimeout(tick, 5)
    }
    tick()
  })

/** Real-time wait for a condition, as an Effect (for socket-level facts, never for retries). */
export const waitUntil = (predicate: () => boolean, timeoutMs = 5_000) =>
  Effect.promise(() => pollUntil(predicate, timeoutMs))
