/**
 * A TCP server that speaks whatever the test wants: for malformed and truncated responses.
 */
import * as Effect from "effect/Effect"
import * as net from "node:net"

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
export const rawServerScoped = (onRequest: (socket: net.Socket, head: string, index: number) => void) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<RawServer & { server: net.Server }>((resolve) => {
        const requests: Array<string> = []
        const sockets = new Set<net.Socket>()
        let connections = 0
        const server = net.createServer((socket) => {
          connections++
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => {})
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
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as net.AddressInfo).port
          resolve({ url: `http://127.0.0.1:${port}`, port, requests, sockets, connections: () => connections, server })
        })
      })
    ),
    ({ server, sockets }) =>
      Effect.promise(() =>
        new Promise<void>((ok) => {
          for (const s of sockets) s.destroy()
          server.close(() => ok())
        })
      )
  )
