import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import { CookieJar } from "tough-cookie"
import { HttpResilient, ResilientClient } from "../src/index.js"
import { loadCookieJar } from "../src/internal/cookies.js"
import { serverScoped } from "./support/server.js"

/**
 * A real server on loopback, reached under two host names (`api.test` and `other.test`, both resolved to 127.0.0.1
 * by the client's `lookup`): two origins a cookie jar tells apart (cookies do not tell ports apart).
 */
const site = serverScoped((req, res, received) => {
  const host = (req.headers.host ?? "").split(":")[0]
  const port = (req.headers.host ?? "").split(":")[1]
  const path = (req.url ?? "/").split("?")[0]
  const cookie = req.headers.cookie ?? ""
  switch (path) {
    case "/login":
      res.setHeader("set-cookie", ["sid=s3cr3t-session; Path=/; HttpOnly", "theme=dark; Path=/prefs"])
      return res.end("welcome")
    case "/login-and-go":
      // the cookie comes with the redirect itself: the next hop must carry it
      res.statusCode = 302
      res.setHeader("set-cookie", "sid=s3cr3t-session; Path=/")
      res.setHeader("location", "/me")
      return res.end()
    case "/me":
      res.statusCode = cookie.includes("sid=s3cr3t-session") ? 200 : 401
      return res.end(res.statusCode === 200 ? `hello ada on ${host}` : "who are you?")
    case "/away":
      res.statusCode = 302
      res.setHeader("location", `http://other.test:${port}/echo`)
      return res.end()
    case "/echo":
      return res.end(`cookie=${cookie}`)
    case "/fail":
      res.statusCode = 500
      res.setHeader("set-cookie", "crumb=s3cr3t-crumb; Path=/")
      return res.end()
    default:
      res.statusCode = 404
      return res.end(received.url)
  }
})

const lookup = (_hostname: string, options: any, callback: (...args: Array<any>) => void) =>
  options?.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)

const client = (options: ResilientClient.ClientOptions) => ResilientClient.layer({ lookup, retry: false, ...options })

describe("cookies", () => {
  it.scopedLive("cookies: true: a login's Set-Cookie is sent with the next call to the site, and only by path", () =>
    Effect.gen(function*() {
      const server = yield* site
      const api = `http://api.test:${server.port}`
      yield* Effect.gen(function*() {
        yield* HttpResilient.post(`${api}/login`, { form: { user: "ada" } })
        const me = yield* HttpResilient.get(`${api}/me`)
        assert.strictEqual(yield* me.text, "hello ada on api.test")
        // theme is for /prefs only
        assert.strictEqual(server.received.at(-1)!.headers.cookie, "sid=s3cr3t-session")
      }).pipe(Effect.provide(client({ cookies: true })))
      // off by default: nothing is kept
      const anonymous = yield* Effect.flip(
        Effect.zipRight(HttpResilient.post(`${api}/login`), HttpResilient.get(`${api}/me`)).pipe(
          Effect.provide(client({}))
        )
      )
      assert.strictEqual(anonymous._tag, "StatusError")
      assert.strictEqual(server.received.at(-1)!.headers.cookie, undefined)
    }))

  it.scopedLive("a cookie set by a redirect is sent on the next hop of the same origin", () =>
    Effect.gen(function*() {
      const server = yield* site
      const me = yield* HttpResilient.get(`http://api.test:${server.port}/login-and-go`).pipe(
        Effect.provide(client({ cookies: true }))
      )
      assert.strictEqual(me.status, 200)
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/login-and-go", "/me"])
    }))

  it.scopedLive("a redirect to another origin carries no cookie the jar would not send there", () =>
    Effect.gen(function*() {
      const server = yield* site
      const api = `http://api.test:${server.port}`
      const echoed = yield* Effect.gen(function*() {
        yield* HttpResilient.post(`${api}/login`)
        // the request's own cookie header too: a secret header, dropped across origins
        const response = yield* HttpResilient.get(`${api}/away`, { headers: { cookie: "mine=s3cr3t-own" } })
        return yield* response.text
      }).pipe(Effect.provide(client({ cookies: true })))
      assert.strictEqual(echoed, "cookie=")
      const away = server.received.find((r) => r.url === "/away")!
      assert.strictEqual(away.headers.cookie, "mine=s3cr3t-own; sid=s3cr3t-session")
      assert.strictEqual(server.received.at(-1)!.headers.cookie, undefined)
    }))

  it.scopedLive("a user's jar: its cookies are sent, the server's stored in it; streams too", () =>
    Effect.gen(function*() {
      const server = yield* site
      const api = `http://api.test:${server.port}`
      const jar = new CookieJar()
      yield* Effect.promise(() => jar.setCookie("sid=s3cr3t-session; Path=/", `${api}/`))
      const text = yield* HttpResilient.lines(`${api}/me`).pipe(
        Stream.runCollect,
        Effect.provide(client({ cookies: jar }))
      )
      assert.deepStrictEqual([...text], ["hello ada on api.test"])
      yield* Effect.flip(HttpResilient.get(`${api}/fail`).pipe(Effect.provide(client({ cookies: jar }))))
      assert.include(yield* Effect.promise(() => jar.getCookieString(`${api}/`)), "crumb=s3cr3t-crumb")
      // another origin's jar entry is not sent
      assert.strictEqual(yield* Effect.promise(() => jar.getCookieString(`http://other.test:${server.port}/`)), "")
    }))

  it.scopedLive("cookie values stay secret: an error shows none", () =>
    Effect.gen(function*() {
      const server = yield* site
      const api = `http://api.test:${server.port}`
      const error = yield* Effect.flip(
        Effect.zipRight(HttpResilient.post(`${api}/login`), HttpResilient.get(`${api}/fail`)).pipe(
          Effect.provide(client({ cookies: true }))
        )
      )
      if (error._tag !== "StatusError") return assert.fail(error._tag)
      for (const shown of [String(error), JSON.stringify(error), JSON.stringify(error.response.request)]) {
        assert.notInclude(shown, "s3cr3t")
      }
    }))

  it.effect("a bad value, and tough-cookie missing, fail the layer with a ConfigError naming cookies", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.flip(
        Effect.provide(ResilientClient.ResilientClient, ResilientClient.layer({ cookies: "yes" as any }))
      )
      assert.include(String(bad), `cookies: "yes" is not true, false or a CookieJar`)
      const missing = yield* Effect.either(
        loadCookieJar(() => Promise.reject(new Error("Cannot find package 'tough-cookie'")))
      )
      if (Either.isRight(missing)) return assert.fail("loaded")
      assert.include(String(missing.left), "cookies: true needs the optional package tough-cookie")
      assert.include(String(missing.left), "npm install tough-cookie")
    }))
})
