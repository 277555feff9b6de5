/**
 * A TLS server on 127.0.0.1 with a fresh self-signed certificate (made by `openssl`, for IP 127.0.0.1), closed with
 * the scope; its certificate is returned so a test can trust it with the client's `tls: { ca }`. The Effect face of
 * test/shared/servers.ts's `startTlsServer`.
 */
import { Effect, type Scope } from "effect"
import type * as http from "node:http"
import { startTlsServer } from "../shared/servers.js"

export const tlsServer = (
  handler: http.RequestListener
): Effect.Effect<{ readonly origin: string; readonly cert: Buffer }, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(Effect.promise(() => startTlsServer(handler)), (server) => Effect.promise(server.close)),
    (server) => ({ origin: server.origin, cert: Buffer.from(server.cert) })
  )
