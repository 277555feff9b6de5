/**
 * The demo's flaky server, on 127.0.0.1 and a free port. Every endpoint misbehaves in its own way.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export interface FlakyServer {
  readonly url: string
  /** requests received per path (without the query) */
  readonly hits: Map<string, number>
  /** when true, /service answers 503; when false, 200 */
  down: boolean
  total(): number
  close(): Promise<void>
}

export const startFlakyServer = (): Promise<FlakyServer> =>
  new Promise((resolve) => {
    const hits = new Map<string, number>()
    const perKey = new Map<string, number>()
    let total = 0
    const state: { down: boolean } = { down: true }
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://demo")
      total++
      hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1)
      const key = `${url.pathname}?${url.searchParams.get("id") ?? ""}`
      const seen = (perKey.get(key) ?? 0) + 1
      perKey.set(key, seen)
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers })
        res.end(JSON.stringify(body))
      }
      switch (url.pathname) {
        case "/flaky": {
          // fails `fail` times per id, then answers
          const fail = Number(url.searchParams.get("fail") ?? "3")
          return seen <= fail ? json(503, { error: "busy" }) : json(200, { ok: true, attempt: seen })
        }
        case "/retry-after":
          return seen === 1 ? json(503, { error: "later" }, { "retry-after": "1" }) : json(200, { ok: true })
        case "/retry-after-too-long":
          return json(503, { error: "much later" }, { "retry-after": "120" })
        case "/service":
          return state.down ? json(503, { error: "down" }) : json(200, { ok: true })
        case "/outage":
          return json(503, { error: "outage" })
        case "/slow-tail": {
          // one request in 20 is slow, whatever it asks for: a hedged copy is most likely fast
          const slow = (hits.get(url.pathname) ?? 0) % 20 === 7
          return void setTimeout(() => json(200, { ok: true }), slow ? 600 : 1)
        }
        default:
          return json(404, { error: "not found" })
      }
    })
    server.keepAliveTimeout = 10_000
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      const flaky: FlakyServer = {
        url: `http://127.0.0.1:${port}`,
        hits,
        get down() {
          return state.down
        },
        set down(value: boolean) {
          state.down = value
        },
        total: () => total,
        close: () =>
          new Promise<void>((ok) => {
            server.closeAllConnections()
            server.close(() => ok())
          })
      }
      resolve(flaky)
    })
  })
