/**
 * Exporting the client's spans and metrics with OpenTelemetry.
 *
 *   npx tsx examples/otel-export.ts
 *
 * Runs three calls against a local server (one retried after a 503) inside a `checkout` span and prints what
 * OpenTelemetry would ship: one `HTTP GET` client span per attempt (child of `checkout`, with
 * `http.request.resend_count` on the retry), and the `http.client.request.duration` histogram.
 *
 * It prints to the console so that it runs anywhere. To send to an OTLP collector instead, install
 * `@opentelemetry/exporter-trace-otlp-http` (and `@opentelemetry/exporter-metrics-otlp-http`) and swap the exporters:
 *
 * ```ts
 * import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
 * import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
 *
 * const Otel = NodeSdk.layer(() => ({
 *   resource: { serviceName: "checkout" },
 *   spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url: "http://127.0.0.1:4318/v1/traces" })),
 *   metricReader: new PeriodicExportingMetricReader({
 *     exporter: new OTLPMetricExporter({ url: "http://127.0.0.1:4318/v1/metrics" })
 *   })
 * }))
 * ```
 *
 * `@effect/opentelemetry` also ships a dependency-free OTLP exporter (`Otlp.layer` from
 * `@effect/opentelemetry/Otlp`, which needs an `HttpClient`). Installing any tracer other than Effect's built-in
 * one is what turns the client's spans on; the client option `tracing` forces them on or off.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Schedule } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { HttpResilient, ResilientClient } from "../src/index.js"

const Otel = NodeSdk.layer(() => ({
  resource: { serviceName: "otel-export-example" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter()),
  metricReader: new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: 60_000
  })
}))

const Client = ResilientClient.layer({
  // never shown on spans, logs or metrics
  headers: { authorization: "Bearer example-secret" }
})

const program = (base: string) =>
  Effect.gen(function*() {
    yield* HttpResilient.get(`${base}/cart`)
    yield* HttpResilient.get(`${base}/flaky`).pipe(Effect.retry(Schedule.recurs(2)))
    yield* HttpResilient.get(`${base}/pay?token=hidden`)
  }).pipe(Effect.withSpan("checkout"))

const main = async () => {
  let flaky = 0
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === "/flaky" && flaky++ === 0 ? 503 : 200
    res.end()
  })
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    // the SDK flushes spans and metrics when its layer is released
    await Effect.runPromise(program(base).pipe(Effect.provide(Layer.merge(Client, Otel))))
  } finally {
    server.close()
  }
}

main()
