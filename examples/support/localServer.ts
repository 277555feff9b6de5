/**
 * A tiny server on 127.0.0.1 for the examples, so each one runs anywhere without a network.
 * In your own code you would call your real API instead.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export const startLocalServer = async (
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void
): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const server = http.createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (body += chunk))
    req.on("end", () => handler(req, res, body))
  })
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      })
  }
}
