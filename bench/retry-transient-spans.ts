/**
 * What spans `@effect/platform`'s `HttpClient.retryTransient` makes, for the "How it compares" table: a loopback
 * server answers 503, 503, 200; the platform's undici client retries with `retryTransient`; an in-memory
 * OpenTelemetry exporter collects the spans.
 *
 *   npx tsx bench/retry-transient-spans.ts
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Schedule } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

let calls = 0
const server = http.createServer((_req, res) => {
  calls++
  res.writeHead(calls <= 2 ? 503 : 200).end("ok")
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`

const exporter = new InMemorySpanExporter()
const Otel = NodeSdk.layer(() => ({
  resource: { serviceName: "retry-transient" },
  spanProcessor: new SimpleSpanProcessor(exporter)
}))

const call = Effect.gen(function*() {
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.filterStatusOk,
    HttpClient.retryTransient({ times: 3, schedule: Schedule.spaced("10 millis") })
  )
  const response = yield* client.get(url)
  return response.status
}).pipe(Effect.withSpan("caller"), Effect.scoped)

// read the spans before the SDK shuts down (its shutdown empties the exporter)
const [status, spans] = await Effect.runPromise(
  call.pipe(
    Effect.map((status) => [status, exporter.getFinishedSpans()] as const),
    Effect.provide(Layer.merge(NodeHttpClient.layerUndici, Otel))
  )
)
console.log(`status ${status} after ${calls} requests; ${spans.length} spans:`)
for (const span of spans) {
  const attributes = Object.entries(span.attributes)
    .filter(([key]) => (key.startsWith("http.") && !key.startsWith("http.response.header.")) || key === "error.type")
    .map(([key, value]) => `${key}=${String(value)}`)
  console.log(`  ${span.name} kind=${span.kind} ${attributes.join(" ")}`)
}
const resends = spans.filter((span) => span.attributes["http.request.resend_count"] !== undefined).length
console.log(`spans with http.request.resend_count: ${resends}`)
server.close()
