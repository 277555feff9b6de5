/**
 * A TCP server that speaks whatever the test wants: for malformed and truncated responses. The Effect face of
 * test/shared/servers.ts's `startRawServer`.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as net from "node:net"
import { startRawServer } from "../shared/servers.js"

export interface RawServer {
  readonly url: string
  readonly port: number
  /** requests seen (by their first line) */
  readonly requests: Array<string>
  readonly sockets: Set<net.Socket>
  connections(): number
}

/**
 * `onRequest(socket, head, index)` is called once per request head read on a connection
 * (`index` counts requests on that connection from 0).
 */
export const rawServerScoped = (
  onRequest: (socket: net.Socket, head: string, index: number) => void
): Effect.Effect<RawServer, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(Effect.promise(() => startRawServer(onRequest)), (server) => Effect.promise(server.close)),
    (server) => ({ ...server, url: server.origin })
  )
