/**
 * A request handler where 10 % of the answers are faults, in a fixed rotation over every 100 requests:
 * 4 % `503`, 3 % connection resets, 3 % bodies that stall after one byte (only an attempt timeout ends them).
 * Used by the no-leak test and by `bench/load-faults.ts`.
 */
import type * as http from "node:http"

export const mixedFaults = (): (req: http.IncomingMessage, res: http.ServerResponse) => void => {
  let n = 0
  return (req, res) => {
    const k = n++ % 100
    if (k < 4) return void res.writeHead(503).end("busy")
    if (k < 7) return void req.socket.resetAndDestroy()
    if (k < 10) {
      res.writeHead(200, { "content-length": "10" })
      res.write("x")
      return
    }
    res.end(JSON.stringify({ ok: true, k }))
  }
}
