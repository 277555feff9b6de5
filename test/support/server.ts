/**
 * A real HTTP server on 127.0.0.1 for tests: scripted handlers, a log of what it received (bodies as bytes, raw
 * header lists), and the sockets open on it. The Effect face of test/shared/servers.ts, which runs the server.
 */
import * as Effect from "effect/Effect"
import type * as http from "node:http"
import type { Socket } from "node:net"
import * as Shared from "../shared/servers.js"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: Buffer
}

export type Handler = Shared.Handler<Received>

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

const recordBytes: Shared.Recorder<Received> = (req, body) => ({
  method: req.method ?? "",
  url: req.url ?? "",
  headers: req.headers,
  rawHeaders: req.rawHeaders,
  body
})

export const startServer = async (handler: Handler): Promise<TestServer> => {
  const server = await Shared.startRecordingServer(recordBytes, handler)
  return {
    url: server.origin,
    port: server.port,
    received: server.received,
    sockets: server.sockets,
    count: server.count,
    waitFor: (predicate, timeoutMs = 5_000) => pollUntil(predicate, timeoutMs),
    close: server.close
  }
}

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
export const closedPort: () => Promise<number> = Shared.closedPort

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
