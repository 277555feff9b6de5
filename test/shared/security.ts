/**
 * Shared bodies: the security rules (redaction of secret headers and query values everywhere a user or a log can
 * see a failure; what a redirect may carry where).
 */
import * as assert from "node:assert/strict"
import { failed, fast, noSecret, ok } from "./check.js"
import type { Body } from "./driver.js"
import { startServer, startTlsServer, statusServer, withServers } from "./servers.js"

const secretHeaders = {
  authorization: "Bearer sekret-authz-1",
  cookie: "sid=sekret-cookie-2",
  "x-api-key": "sekret-apikey-3",
  "proxy-authorization": "Basic sekret-proxy-4",
  "x-auth-token": "sekret-token-5"
}
const secretValues = Object.values(secretHeaders).map((v) => v.split(/[ =]/).pop()!)

/** A server that redirects every request to `target()` with `status`. */
const redirector = (target: () => string, status = 302) =>
  startServer((_req, res) => res.writeHead(status, { location: target() }).end())

export const securityBodies: Body = (t, driver) => {
  t.describe("security", () => {
    t.it(
      "secret request headers, response Set-Cookie and redactHeaders never appear in a failure or an event",
      () =>
        withServers([
          statusServer([{
            status: 500,
            headers: { "set-cookie": "session=sekret-setcookie-6", "x-tenant": "sekret-7" }
          }])
        ], (server) =>
          driver.withClient({ redactHeaders: ["X-Tenant"] }, async (client) => {
            const error = failed(
              await client.request({
                method: "GET",
                url: server.origin,
                headers: { ...secretHeaders, "x-tenant": "sekret-7" },
                retry: fast(1)
              }),
              "StatusError"
            )
            // the wire still carried them, to the origin they were meant for
            assert.equal(server.received[0].headers.authorization, secretHeaders.authorization)
            assert.equal(server.received[0].headers["x-tenant"], "sekret-7")
            const events = await client.events()
            assert.ok(events.length >= 3)
            noSecret([...error.renderings, ...events.map((e) => e.rendering), JSON.stringify(error.headers)], [
              ...secretValues,
              "sekret-setcookie-6",
              "sekret-7"
            ])
          }))
    )

    t.it(
      "secret query values and userinfo passwords are redacted in the error's URL and renderings",
      () =>
        withServers(
          [statusServer([503])],
          (server) =>
            driver.withClient({ redactQueryParams: ["tenant"] }, async (client) => {
              const url = new URL(server.origin)
              url.username = "ada"
              url.password = "sekret-pass-8"
              url.pathname = "/q"
              url.search = "?access_token=sekret-q-9&page=2&api_key=sekret-q-10&sig=sekret-q-11&tenant=sekret-q-12"
              const error = failed(await client.request({ method: "GET", url: url.href, retry: false }), "StatusError")
              assert.match(error.url ?? "", /page=2/)
              const events = await client.events()
              noSecret([
                error.url ?? "",
                ...error.renderings,
                ...events.map((e) => e.rendering)
              ], [
                "sekret-pass-8",
                "sekret-q-9",
                "sekret-q-10",
                "sekret-q-11",
                "sekret-q-12"
              ])
            })
        )
    )

    t.it(
      "a breaker key function is given the URL as errors show it: no secret reaches a key, its event or health",
      () =>
        withServers([statusServer([503])], (server) => {
          const given: Array<string> = []
          return driver.withClient({
            redactQueryParams: ["tenant"],
            routes: [{
              match: { pathPrefix: "/reports" },
              circuitBreaker: {
                strategy: { kind: "consecutive", threshold: 1 },
                breakDurationMs: 60_000,
                key: (request) => {
                  given.push(request.url.href)
                  return `${request.method} ${request.url.href}`
                }
              }
            }]
          }, async (client) => {
            const url = new URL(`${server.origin}/reports`)
            url.username = "ada"
            url.password = "sekret-pass-15"
            url.search = "?access_token=sekret-q-16&page=2&tenant=sekret-q-17"
            failed(await client.request({ method: "GET", url: url.href, retry: false }), "StatusError")
            // the key told the calls apart as the function chose (the path and the plain parameter kept): the
            // same key, so the breaker it opened refuses the next call
            failed(await client.request({ method: "GET", url: url.href, retry: false }), "CircuitOpenError")
            assert.equal(server.count(), 1)
            assert.ok(given.length >= 2 && given.every((href) => /\/reports\?.*page=2/.test(href)), given.join(" "))
            const changes = (await client.events()).filter((e) => e.tag === "CircuitStateChanged")
            assert.equal(changes.length, 1)
            assert.match(changes[0].origin ?? "", /^GET http:\/\/.*\/reports\?.*page=2/)
            const health = await client.health()
            const keys = health.origins.map((o) => String(o.key))
            assert.ok(keys.some((key) => key.startsWith("GET ")), keys.join(" "))
            noSecret([...given, ...changes.map((e) => `${e.origin} ${e.rendering}`), JSON.stringify(health)], [
              "sekret-pass-15",
              "sekret-q-16",
              "sekret-q-17"
            ])
          })
        })
    )

    t.it("a transport failure's renderings carry no secret either", () =>
      driver.withClient({}, async (client) => {
        const error = failed(
          await client.request({
            method: "GET",
            url: "http://ada:sekret-pass-13@127.0.0.1:1/x?token=sekret-q-14",
            headers: secretHeaders,
            retry: false
          }),
          "TransportError"
        )
        noSecret(error.renderings, ["sekret-pass-13", "sekret-q-14", ...secretValues])
      }))

    t.it(
      "a cross-origin redirect drops Authorization, Cookie and every secret header; others are kept",
      () =>
        withServers(
          [startServer((_req, res) => res.end("landed"))],
          (target) =>
            withServers([redirector(() => `${target.origin}/landing`)], (origin) =>
              driver.withClient({ redactHeaders: ["x-tenant"] }, async (client) => {
                const res = ok(
                  await client.request({
                    method: "GET",
                    url: `${origin.origin}/start`,
                    headers: { ...secretHeaders, "x-tenant": "sekret-7", "x-plain": "visible" }
                  })
                )
                assert.equal(res.body, "landed")
                assert.equal(origin.received[0].headers.authorization, secretHeaders.authorization)
                const [landed] = target.received
                for (const name of [...Object.keys(secretHeaders), "x-tenant"]) {
                  assert.equal(landed.headers[name], undefined, `${name} crossed origins`)
                }
                assert.equal(landed.headers["x-plain"], "visible")
                assert.equal(landed.headers.host, `127.0.0.1:${target.port}`)
              }))
        )
    )

    t.it("a same-origin redirect keeps Authorization", () => {
      let first = true
      return withServers([
        startServer((_req, res) => {
          if (first) {
            first = false
            return void res.writeHead(302, { location: "/next" }).end()
          }
          res.end("next")
        })
      ], (server) =>
        driver.withClient({}, async (client) => {
          ok(await client.request({ method: "GET", url: `${server.origin}/a`, headers: secretHeaders }))
          assert.deepEqual(server.received.map((r) => [r.url, r.headers.authorization]), [
            ["/a", secretHeaders.authorization],
            ["/next", secretHeaders.authorization]
          ])
        }))
    })

    t.it(
      "an https → http redirect fails with TransportError InsecureRedirect and sends nothing over http",
      () =>
        withServers(
          [startServer((_req, res) => res.end("plain"))],
          (plain) =>
            withServers(
              [startTlsServer((_req, res) => res.writeHead(302, { location: `${plain.origin}/down` }).end())],
              (tls) =>
                driver.withClient({ tls: { ca: tls.cert } }, async (client) => {
                  const error = failed(
                    await client.request({
                      method: "GET",
                      url: `${tls.origin}/secure`,
                      headers: secretHeaders,
                      retry: false
                    }),
                    "TransportError"
                  )
                  assert.equal(error.reason, "InsecureRedirect")
                  assert.equal(tls.count(), 1)
                  assert.equal(plain.count(), 0)
                })
            )
        )
    )

    t.it(
      "allowInsecureRedirects: true follows an https → http redirect, without the secret headers",
      () =>
        withServers(
          [startServer((_req, res) => res.end("plain"))],
          (plain) =>
            withServers(
              [startTlsServer((_req, res) => res.writeHead(302, { location: `${plain.origin}/down` }).end())],
              (tls) =>
                driver.withClient({ tls: { ca: tls.cert }, allowInsecureRedirects: true }, async (client) => {
                  const res = ok(
                    await client.request({ method: "GET", url: `${tls.origin}/secure`, headers: secretHeaders })
                  )
                  assert.equal(res.body, "plain")
                  assert.equal(plain.received[0].headers.authorization, undefined)
                })
            )
        )
    )

    t.it(
      "followRedirects: false returns the redirect itself",
      () =>
        withServers(
          [startServer((_req, res) => res.end("x"))],
          (target) =>
            withServers([redirector(() => target.origin, 301)], (origin) =>
              driver.withClient({ followRedirects: false, acceptStatus: [200, 301] }, async (client) => {
                const res = ok(await client.request({ method: "GET", url: origin.origin }))
                assert.equal(res.status, 301)
                assert.equal(target.count(), 0)
              }))
        )
    )

    t.it(
      "a 303 after a POST is followed with a GET without the body; a 307 keeps the method and body",
      () =>
        withServers([
          startServer((req, res) => {
            if (req.url === "/see-other") return void res.writeHead(303, { location: "/result" }).end()
            if (req.url === "/temporary") return void res.writeHead(307, { location: "/moved" }).end()
            res.end(`${req.method} ${req.url}`)
          })
        ], (server) =>
          driver.withClient({}, async (client) => {
            const seeOther = ok(
              await client.request({ method: "POST", url: `${server.origin}/see-other`, body: { text: "form" } })
            )
            assert.equal(seeOther.body, "GET /result")
            assert.equal(server.received[1].body, "")
            assert.equal(server.received[1].headers["content-length"] ?? "0", "0")
            const temporary = ok(
              await client.request({ method: "PUT", url: `${server.origin}/temporary`, body: { text: "data" } })
            )
            assert.equal(temporary.body, "PUT /moved")
            assert.equal(server.received[3].body, "data")
          }))
    )

    t.it("a redirect loop fails with RedirectLoop and a long chain with TooManyRedirects", () =>
      withServers([
        startServer((req, res) => {
          if (req.url === "/a") return void res.writeHead(302, { location: "/b" }).end()
          if (req.url === "/b") return void res.writeHead(302, { location: "/a" }).end()
          const n = Number(req.url?.slice(1))
          res.writeHead(302, { location: `/${n + 1}` }).end()
        })
      ], (server) =>
        driver.withClient({ followRedirects: 3 }, async (client) => {
          const loop = failed(
            await client.request({ method: "GET", url: `${server.origin}/a`, retry: false }),
            "TransportError"
          )
          assert.equal(loop.reason, "RedirectLoop")
          const chain = failed(
            await client.request({ method: "GET", url: `${server.origin}/1`, retry: false }),
            "TransportError"
          )
          assert.equal(chain.reason, "TooManyRedirects")
          // the first request and three redirects followed
          assert.deepEqual(server.received.slice(2).map((r) => r.url), ["/1", "/2", "/3", "/4"])
        })))
  })
}
