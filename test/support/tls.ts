/**
 * A TLS server on 127.0.0.1 with a fresh self-signed certificate (made by `openssl`, for IP 127.0.0.1), closed with
 * the scope; its certificate is returned so a test can trust it with the client's `tls: { ca }`.
 */
import { Effect, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const tlsServer = (
  handler: http.RequestListener
): Effect.Effect<{ readonly origin: string; readonly cert: Buffer }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = mkdtempSync(join(tmpdir(), "ehr-tls-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
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
    const cert = readFileSync(join(dir, "cert.pem"))
    const key = readFileSync(join(dir, "key.pem"))
    const server = https.createServer({ cert, key }, handler)
    yield* Effect.acquireRelease(
      Effect.promise(() => new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()))),
      () =>
        Effect.promise(() =>
          new Promise<void>((ok) => {
            server.closeAllConnections()
            server.close(() => ok())
          })
        )
    )
    return { origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, cert }
  })
