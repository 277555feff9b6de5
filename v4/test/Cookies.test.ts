/**
 * The `cookies` option in what is the v4 edition's own: its layer's error texts (a bad value; tough-cookie that
 * cannot be loaded) and the request as interceptors see it, which never holds the jar's cookies. What both editions
 * promise (the jar's rules on every hop, a user's jar, streams, secrecy, a failing jar) is in the shared suite
 * (test/shared/network.ts). Against real loopback servers, in real time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpResilient, Interceptor, ResilientClient } from "effect-http-resilient/v4"
import { startServer } from "../../test/shared/servers.js"
import { loadCookieJar } from "../src/internal/client.js"

describe("cookies (v4)", () => {
  it.effect("a bad value, and tough-cookie missing, fail the layer with a ConfigError naming cookies", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.flip(Effect.scoped(Layer.build(ResilientClient.layer({ cookies: "yes" as any }))))
      assert.strictEqual(
        bad.cause.message,
        `ResilientClient.layer: option "cookies" "yes" is not true, false or a CookieJar (tough-cookie's, or one with ` +
          `getCookieString and setCookie)`
      )
      const missing = yield* Effect.flip(
        loadCookieJar(() => Promise.reject(new Error("Cannot find package 'tough-cookie'")))
      )
      assert.strictEqual(
        missing.cause.message,
        `ResilientClient.layer: option "cookies" true needs the optional package tough-cookie, which could not be ` +
          `loaded (Cannot find package 'tough-cookie'); install it (npm install tough-cookie) or pass a CookieJar`
      )
    }))

  it.live("the jar's cookies go on the wire only: a request interceptor never sees them", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.promise(() =>
          startServer((req, res) => {
            if (req.url === "/login") res.setHeader("set-cookie", "sid=s3cr3t-session; Path=/")
            res.end("ok")
          })
        ),
        (s) => Effect.promise(s.close)
      )
      const seen: Array<string | undefined> = []
      const spy = Interceptor.onRequest("spy", (request) => {
        seen.push(request.headers.cookie)
        return request
      })
      yield* Effect.gen(function*() {
        yield* HttpResilient.get(`${server.origin}/login`)
        yield* HttpResilient.get(`${server.origin}/me`, { headers: { cookie: "mine=1" } })
      }).pipe(Effect.provide(ResilientClient.layer({ cookies: true, interceptors: [spy] })))
      assert.strictEqual(server.received[1].headers.cookie, "mine=1; sid=s3cr3t-session")
      assert.deepStrictEqual(seen, [undefined, "mine=1"])
    }))
})
