/**
 * Consuming server-sent events that survive a dropped connection: the client reconnects after the server's
 * `retry:` delay, sends `Last-Event-ID`, and never delivers an event twice.
 *
 *   npx tsx examples/sse-consumer.ts
 */
import { Effect, Stream } from "effect"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { startLocalServer } from "./support/localServer.js"

// a ticker that drops the connection after every 3 events, and resumes from Last-Event-ID
const api = await startLocalServer((req, res) => {
  const last = Number(req.headers["last-event-id"] ?? 0)
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
  res.write("retry: 100\n\n")
  for (let id = last + 1; id <= Math.min(last + 3, 9); id++) {
    res.write(`id: ${id}\nevent: price\ndata: {"tick":${id}}\n\n`)
  }
  if (last + 3 >= 9) res.write("event: done\ndata: bye\n\n")
  // drop the connection abruptly, as a proxy or a deploy would
  setTimeout(() => req.socket.destroy(), 20)
})

const program = HttpResilient.sse(`${api.url}/prices`).pipe(
  Stream.takeUntil((event) => event.event === "done"),
  Stream.tap((event) => Effect.log(`${event.event} #${event.id ?? "-"} ${event.data}`)),
  Stream.runCount,
  Effect.tap((count) => Effect.log(`${count} events, each exactly once, over 3 connections`))
)

await Effect.runPromise(program.pipe(Effect.provide(ResilientClient.layer({}))))
await api.close()
