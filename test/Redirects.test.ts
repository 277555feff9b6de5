import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { serverScoped } from "./support/server.js"

const Client = ResilientClient.layer({})

const redirectServer = serverScoped((req, res) => {
  const url = new URL(req.url ?? "/", "http://x")
  const to = url.searchParams.get("to")
  const status = Number(url.searchParams.get("status") ?? "302")
  if (url.pathname === "/hop" && to) {
    res.writeHead(status, { location: to })
    res.end("moved")
    return
  }
  if (url.pathname.startsWith("/chain/")) {
    const n = Number(url.pathname.slice("/chain/".length))
    if (n > 0) {
      res.writeHead(302, { location: `/chain/${n - 1}` })
      res.end()
      return
    }
  }
  if (url.pathname === "/loop-a") return void res.writeHead(302, { location: "/loop-b" }).end()
  if (url.pathname === "/loop-b") return void res.writeHead(302, { location: "/loop-a" }).end()
  res.end(`final ${req.method} ${url.pathname}`)
})

describe("redirects are followed inside the attempt", () => {
  it.scoped("GET follows 301, 302, 307 and 308; the response is the final one", () =>
    Effect.gen(function*() {
      const server = yield* redirectServer
      for (const status of [301, 302, 307, 308]) {
        const response = yield* HttpResilient.get(`${server.url}/hop?status=${status}&to=/done`)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(yield* response.text, "final GET /done")
      }
    }).pipe(Effect.provide(Client)))

  it.scoped("followRedirects: false returns the 3xx itself", () =>
    Effect.gen(function*() {
      const server = yield* redirectServer
      const response = yield* HttpResilient.get(`${server.url}/hop?to=/done`, { followRedirects: false }).pipe(
        Effect.provide(Client)
      )
      assert.strictEqual(response.status, 302)
      assert.strictEqual(response.headers.location, "/done")
      assert.strictEqual(server.count(), 1)
      const viaLayer = yield* HttpResilient.get(`${server.url}/hop?to=/done`).pipe(
        Effect.provide(ResilientClient.layer({ followRedirects: false }))
      )
      assert.strictEqual(viaLayer.status, 302)
    }))

  it.scoped("303 turns a POST into a GET without a body", () =>
    Effect.gen(function*() {
      const server = yield* redirectServer
      const response = yield* HttpResilient.post(`${server.url}/hop?status=303&to=/result`, { json: { a: 1 } })
      assert.strictEqual(yield* response.text, "final GET /result")
      const follow = server.received[1]
      assert.strictEqual(follow.method, "GET")
      assert.strictEqual(follow.body.length, 0)
      assert.isUndefined(follow.headers["content-type"])
    }).pipe(Effect.provide(Client)))

  it.scoped("307/308 keep method and body when the body is replayable, and stop when it is a stream", () =>
    Effect.gen(function*() {
      const server = yield* redirectServer
      const response = yield* HttpResilient.post(`${server.url}/hop?status=307&to=/again`, { text: "payload" })
      assert.strictEqual(yield* response.text, "final POST /again")
      assert.strictEqual(server.received[1].body.toString(), "payload")
      const streamed = yield* HttpResilient.post(`${server.url}/hop?status=308&to=/again`, {
        stream: Stream.make(new Uint8Array([1, 2, 3]))
      })
      assert.strictEqual(streamed.status, 308)
      assert.strictEqual(server.count(), 3)
      // 301/302 are not followed for a POST
      const post302 = yield* HttpResilient.post(`${server.url}/hop?status=302&to=/x`, { text: "p" })
      assert.strictEqual(post302.status, 302)
    }).pipe(Effect.provide(Client)))

  it.scoped("a loop fails with RedirectLoop; a long chain with TooManyRedirects", () =>
    Effect.gen(function*() {
      const server = yield* redirectServer
      const loop = yield* Effect.flip(HttpResilient.get(`${server.url}/loop-a`))
      assert.strictEqual(loop._tag, "TransportError")
      assert.strictEqual(loop._tag === "TransportError" && loop.reason, "RedirectLoop")
      assert.include(loop.message, "Redirect loop")
      const ok = yield* HttpResilient.get(`${server.url}/chain/10`)
      assert.strictEqual(yield* ok.text, "final GET /chain/0")
      const tooMany = yield* Effect.flip(HttpResilient.get(`${server.url}/chain/11`))
      assert.strictEqual(tooMany._tag === "TransportError" && tooMany.reason, "TooManyRedirects")
      const limited = yield* Effect.flip(HttpResilient.get(`${server.url}/chain/3`, { followRedirects: 2 }))
      assert.strictEqual(limited._tag === "TransportError" && limited.reason, "TooManyRedirects")
    }).pipe(Effect.provide(Client)))

  it.scoped("crossing to another origin drops authorization, cookie and proxy-authorization", () =>
    Effect.gen(function*() {
      const origin = yield* redirectServer
      const other = yield* serverScoped((_req, res) => res.end("other"))
      const headers = {
        authorization: "Bearer secret",
        cookie: "s=1",
        "proxy-authorization": "Basic x",
        "x-keep": "kept"
      }
      yield* HttpResilient.get(`${origin.url}/hop?to=${encodeURIComponent(`${other.url}/landing`)}`, { headers })
      const landed = other.received[0]
      assert.isUndefined(landed.headers.authorization)
      assert.isUndefined(landed.headers.cookie)
      assert.isUndefined(landed.headers["proxy-authorization"])
      assert.strictEqual(landed.headers["x-keep"], "kept")
      // same origin keeps them
      yield* HttpResilient.get(`${origin.url}/hop?to=/same`, { headers })
      assert.strictEqual(origin.received.at(-1)?.headers.authorization, "Bearer secret")
    }).pipe(Effect.provide(Client)))
})
