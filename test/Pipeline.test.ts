import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { HttpResilient, ResilientClient, Transport } from "../src/index.js"
import type { Attempt } from "../src/internal/attempt.js"
import { resolveConfig } from "../src/internal/config.js"
import { Protections } from "../src/internal/protections.js"
import { breaker } from "../src/internal/stage/breaker.js"
import { bulkhead } from "../src/internal/stage/bulkhead.js"
import { interceptors, requestInterceptors } from "../src/internal/stage/interceptors.js"
import { protect } from "../src/internal/stage/protect.js"
import { rateLimit } from "../src/internal/stage/rateLimit.js"

/** A transport that answers every request at once with a 200, noting the timeout each request was given. */
const recording = () => {
  const timeouts: Array<{ readonly verb: "send" | "stream"; readonly timeoutMillis: number }> = []
  const service: Transport.TransportService = {
    send: (request) =>
      Effect.sync(() => {
        timeouts.push({ verb: "send", timeoutMillis: request.timeoutMillis })
        return {
          status: 200,
          statusText: "OK",
          headers: {},
          setCookie: [],
          body: new Uint8Array(0),
          url: request.url.href
        }
      }),
    stream: (request) =>
      Effect.sync(() => {
        timeouts.push({ verb: "stream", timeoutMillis: request.timeoutMillis })
        // an event stream ends at once (204), a download is empty
        const status = request.headers.accept === "text/event-stream" ? 204 : 200
        return { status, statusText: "", headers: {}, setCookie: [], url: request.url.href, body: Stream.empty }
      }),
    warmUp: () => Effect.void
  }
  return {
    timeouts,
    layer: Layer.provide(ResilientClient.layerWithTransport({}), Layer.succeed(Transport.Transport, service))
  }
}

describe("the attempt pipeline", () => {
  it.effect("a streamed attempt's timeout is clipped to the enclosing deadline, like a buffered one's", () => {
    const { layer, timeouts } = recording()
    return Effect.gen(function*() {
      // the client's timeout is 10 s; the deadline around the calls leaves 2 s (virtual time stands still)
      yield* HttpResilient.get("http://api.test/a").pipe(HttpResilient.withDeadline("2 seconds"))
      yield* Stream.runDrain(HttpResilient.stream("http://api.test/b")).pipe(HttpResilient.withDeadline("2 seconds"))
      yield* Stream.runDrain(HttpResilient.sse("http://api.test/c", { retry: false })).pipe(
        HttpResilient.withDeadline("2 seconds")
      )
      // without a deadline around it, the client's timeout
      yield* Stream.runDrain(HttpResilient.stream("http://api.test/d"))
      assert.deepStrictEqual(timeouts, [
        { verb: "send", timeoutMillis: 2000 },
        { verb: "stream", timeoutMillis: 2000 },
        { verb: "stream", timeoutMillis: 2000 },
        { verb: "stream", timeoutMillis: 10_000 }
      ])
    }).pipe(Effect.provide(layer))
  })

  it("a stage whose feature is off is the next stage itself", () => {
    const config = resolveConfig({ circuitBreaker: false, bulkhead: false, retryBudget: false })
    assert.strictEqual(config._tag, "Right")
    if (config._tag !== "Right") return
    const off = new Protections(config.right.protections, () => {}, undefined, 10)
    const next: Attempt<any> = () => Effect.die("not run")
    assert.strictEqual(protect(off)(next), next)
    assert.strictEqual(rateLimit(off.rateLimiter)(next), next)
    assert.strictEqual(bulkhead(off.bulkhead)(next), next)
    assert.strictEqual(breaker(off)(next), next)
    assert.strictEqual(interceptors(config.right)(next), next)
    assert.strictEqual(requestInterceptors(config.right)(next), next)
    // on by default: each wraps the next
    const defaults = resolveConfig({})
    if (defaults._tag !== "Right") return assert.fail("the defaults resolve")
    const on = new Protections(defaults.right.protections, () => {}, undefined, 10)
    assert.notStrictEqual(protect(on)(next), next)
    assert.notStrictEqual(bulkhead(on.bulkhead)(next), next)
    assert.notStrictEqual(breaker(on)(next), next)
  })
})
