import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import { Backoff, HttpResilient, ResilientClient, RetryPolicy } from "effect-http-resilient/v4"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** A loopback server on a free port, closed with the scope: `/user` a user (after one 503 on `/flaky`), `/bad` not JSON. */
const server = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ url: string; close: () => void }>((resolve) => {
      let flaky = 0
      const s = createServer((req, res) => {
        if (req.url?.startsWith("/flaky") && ++flaky === 1) return void res.writeHead(503).end()
        if (req.url?.startsWith("/bad")) return void res.writeHead(200).end("{not json")
        if (req.url?.startsWith("/bytes")) return void res.writeHead(200).end(Buffer.from([0, 1, 2, 255]))
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: 1, name: "Ada" }))
      })
      s.listen(0, "127.0.0.1", () =>
        resolve({
          url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
          close: () => s.close()
        }))
    })
  ),
  (s) => Effect.sync(() => s.close())
)

const User = Schema.Struct({ id: Schema.Number, name: Schema.String })
const client = ResilientClient.layer({ redactQueryParams: ["sig"] })

describe("HttpResilient body readers (real loopback server, real time)", () => {
  it.live("json decodes with a v4 Schema; getJson is get then json; text and bytes read the body", () =>
    Effect.gen(function*() {
      const api = yield* server
      const user = yield* HttpResilient.get(`${api.url}/user`).pipe(Effect.flatMap(HttpResilient.json(User)))
      assert.deepStrictEqual(user, { id: 1, name: "Ada" })
      assert.deepStrictEqual(yield* HttpResilient.getJson(`${api.url}/user`, User), { id: 1, name: "Ada" })
      const text = yield* HttpResilient.get(`${api.url}/user`).pipe(Effect.flatMap(HttpResilient.text))
      assert.strictEqual(text, "{\"id\":1,\"name\":\"Ada\"}")
      const bytes = yield* HttpResilient.get(`${api.url}/bytes`).pipe(Effect.flatMap(HttpResilient.bytes))
      assert.deepStrictEqual([...bytes], [0, 1, 2, 255])
    }).pipe(Effect.scoped, Effect.provide(client)))

  it.live("a mismatch or bad JSON is a DecodeError with the method, the URL as shown and the attempt that answered", () =>
    Effect.gen(function*() {
      const api = yield* server
      const mismatch = yield* HttpResilient.getJson(
        `${api.url}/flaky?sig=s3cret`,
        Schema.Struct({ id: Schema.String }),
        {
          retry: RetryPolicy.make({ backoff: Backoff.constant("1 millis") })
        }
      ).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(mismatch))
      const error = Exit.isFailure(mismatch) ? mismatch.cause.reasons[0] : undefined
      assert.strictEqual(error?._tag, "Fail")
      const decode = (error as any).error
      assert.strictEqual(decode._tag, "DecodeError")
      assert.strictEqual(decode.method, "GET")
      assert.strictEqual(decode.attempt, 2)
      assert.include(decode.url, "/flaky?sig=")
      assert.notInclude(decode.url, "s3cret")
      const bad = yield* HttpResilient.getJson(`${api.url}/bad`, User).pipe(Effect.flip)
      assert.strictEqual(bad._tag, "DecodeError")
      assert.strictEqual((bad as any).attempt, 1)
    }).pipe(Effect.scoped, Effect.provide(client)))
})
