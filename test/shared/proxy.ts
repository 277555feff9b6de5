/**
 * A real HTTP proxy on 127.0.0.1 for tests: a forward proxy for absolute-form requests (http: origins) and a
 * `CONNECT` tunnel (https: origins), that counts what passes through and, when `auth` is given, answers 407 to a
 * request or tunnel whose `Proxy-Authorization` is not exactly it. Effect-free: both editions' tests use it (the
 * shared suite, test/support/proxy.ts for the root's).
 */
import * as http from "node:http"
import type { Socket } from "node:net"
import * as net from "node:net"
import { closer, listen, track } from "./servers.js"

export interface TestProxy {
  readonly url: string
  readonly port: number
  /** absolute-form requests forwarded (`GET http://host/path`) */
  readonly forwarded: Array<string>
  /** tunnels opened (`host:port`) */
  readonly tunnels: Array<string>
  /** the `Proxy-Authorization` of every request and tunnel, forwarded or refused */
  readonly authorizations: Array<string | undefined>
  /** requests and tunnels refused with 407 */
  readonly refused: Array<string>
  /** sockets open to the proxy (from clients) */
  readonly sockets: Set<Socket>
  close(): Promise<void>
}

export const startProxy = async (options: { readonly auth?: string } = {}): Promise<TestProxy> => {
  const forwarded: Array<string> = []
  const tunnels: Array<string> = []
  const authorizations: Array<string | undefined> = []
  const refused: Array<string> = []
  const sockets = new Set<Socket>()
  const upstream = new Set<Socket>()
  const allowed = (header: string | undefined, what: string) => {
    authorizations.push(header)
    if (options.auth === undefined || header === options.auth) return true
    refused.push(what)
    return false
  }
  const server = http.createServer((req, res) => {
    const what = `${req.method} ${req.url}`
    if (!allowed(req.headers["proxy-authorization"], what)) {
      res.writeHead(407, { "proxy-authenticate": "Basic realm=\"test\"", "content-length": "0" })
      res.end()
      return
    }
    let target: URL
    try {
      target = new URL(req.url ?? "")
    } catch {
      res.writeHead(400, { "content-length": "0" })
      res.end()
      return
    }
    forwarded.push(what)
    const headers = { ...req.headers }
    delete headers["proxy-authorization"]
    delete headers["proxy-connection"]
    const out = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: target.pathname + target.search,
      headers
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on("socket", (socket) => {
      upstream.add(socket)
      socket.on("close", () => upstream.delete(socket))
    })
    out.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-length": "0" })
      res.end()
    })
    req.pipe(out)
  })
  server.on("connect", (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    client.on("error", () => {})
    const what = `CONNECT ${req.url}`
    if (!allowed(req.headers["proxy-authorization"], what)) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\r\n")
      return
    }
    const [host, port] = (req.url ?? "").split(":")
    const origin = net.connect(Number(port), host, () => {
      tunnels.push(req.url ?? "")
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      if (head.length > 0) origin.write(head)
      origin.pipe(client)
      client.pipe(origin)
    })
    upstream.add(origin)
    origin.on("close", () => {
      upstream.delete(origin)
      client.destroy()
    })
    client.on("close", () => origin.destroy())
    origin.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"))
  })
  track(server, sockets)
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    forwarded,
    tunnels,
    authorizations,
    refused,
    sockets,
    close: closer(server, sockets, upstream)
  }
}
