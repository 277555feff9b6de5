/**
 * Shared bodies: the network options — `proxy` (a forward proxy for http: origins, a `CONNECT` tunnel for https:
 * ones, credentials kept secret, `noProxy`, `"env"`) and `cookies` (a jar's RFC 6265 rules on every hop, values kept
 * secret), against a real proxy (proxy.ts) and real servers on loopback. A second host name for the cookie jar is
 * `localhost` (cookies tell hosts apart, not ports).
 */
import * as assert from "node:assert/strict"
import { CookieJar } from "tough-cookie"
import { eventually, failed, noSecret, ok } from "./check.js"
import { type Driver, DriverConfigError } from "./driver.js"
import type { Body } from "./driver.js"
import { startProxy } from "./proxy.js"
import { closedPort, type Handler, startServer, startTlsServer, withServers } from "./servers.js"

const echo: Handler = (req, res) => res.end(`origin saw ${req.method} ${req.url} host ${req.headers.host}`)

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

const proxyVariables = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"]

/** Runs `body` with only `values` among the proxy variables, then puts them back as they were. */
const withProxyEnv = async (values: Record<string, string>, body: () => Promise<void>): Promise<void> => {
  const saved = proxyVariables.map((name) => [name, process.env[name]] as const)
  for (const name of proxyVariables) delete process.env[name]
  Object.assign(process.env, values)
  try {
    await body()
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/** The message of the error the layer refused `spec` with. */
const refused = async (driver: Driver, spec: Parameters<Driver["withClient"]>[0]): Promise<string> => {
  try {
    await driver.withClient(spec, async () => {})
  } catch (error) {
    assert.ok(error instanceof DriverConfigError, String(error))
    return error.message
  }
  return assert.fail(`the layer took ${JSON.stringify(spec)}`)
}

/**
 * A site: `/login` sets a session cookie (Path=/) and one for `/prefs` only; `/login-and-go` sets it on a redirect
 * to `/me`; `/me` answers 200 only with the session; `/away` redirects to `localhost` on the same port; `/echo`
 * shows the cookies it got; `/fail` answers 500 with a cookie.
 */
const site: Handler = (req, res) => {
  const cookie = req.headers.cookie ?? ""
  const [host, port] = (req.headers.host ?? "").split(":")
  switch ((req.url ?? "/").split("?")[0]) {
    case "/login":
      res.setHeader("set-cookie", ["sid=s3cr3t-session; Path=/; HttpOnly", "theme=dark; Path=/prefs"])
      return res.end("welcome")
    case "/login-and-go":
      res.writeHead(302, { "set-cookie": "sid=s3cr3t-session; Path=/", location: "/me" })
      return res.end()
    case "/me":
      res.statusCode = cookie.includes("sid=s3cr3t-session") ? 200 : 401
      return res.end(res.statusCode === 200 ? `hello ada on ${host}` : "who are you?")
    case "/away":
      res.writeHead(302, { location: `http://localhost:${port}/echo` })
      return res.end()
    case "/echo":
      return res.end(`cookie=${cookie}`)
    case "/fail":
      res.writeHead(500, { "set-cookie": "crumb=s3cr3t-crumb; Path=/" })
      return res.end()
    default:
      res.statusCode = 404
      return res.end()
  }
}

export const networkBodies: Body = (t, driver) => {
  t.describe("proxy", () => {
    t.it(
      "a forward proxy carries http: requests (absolute form, no tunnel); no socket to it is left after",
      () =>
        withServers([startProxy(), startServer(echo)], async (proxy, server) => {
          await driver.withClient({ proxy: proxy.url }, async (client) => {
            const res = ok(await client.request({ method: "GET", url: `${server.origin}/a?x=1` }))
            assert.equal(res.body, `origin saw GET /a?x=1 host 127.0.0.1:${server.port}`)
          })
          assert.deepEqual(proxy.forwarded, [`GET ${server.origin}/a?x=1`])
          assert.deepEqual(proxy.tunnels, [])
          await eventually(async () => proxy.sockets.size === 0, 5_000, "the pool's sockets to the proxy closed")
        })
    )

    t.it(
      "a CONNECT tunnel to a TLS origin, its certificate checked through the tunnel",
      () =>
        withServers(
          [startProxy(), startTlsServer((req, res) => res.end(`tls origin saw ${req.url}`))],
          (proxy, tls) =>
            driver.withClient({ proxy: proxy.url, tls: { ca: tls.cert } }, async (client) => {
              for (const path of ["/one", "/two"]) {
                assert.equal(
                  ok(await client.request({ method: "GET", url: `${tls.origin}${path}` })).body,
                  `tls origin saw ${path}`
                )
              }
              const authority = tls.origin.replace("https://", "")
              assert.deepEqual(proxy.tunnels, [authority, authority])
              assert.deepEqual(proxy.forwarded, [])
              // without the CA, the TLS failure is the origin's, through the tunnel
              return driver.withClient({ proxy: proxy.url }, async (untrusted) => {
                const error = failed(
                  await untrusted.request({ method: "GET", url: `${tls.origin}/x`, retry: false }),
                  "TransportError"
                )
                assert.equal(error.reason, "TlsFailure")
              })
            })
        )
    )

    t.it(
      "credentials as userinfo (Basic) or a token, for forwarded requests and tunnels; never to the origin",
      () =>
        withServers(
          [
            startProxy({ auth: basic("user", "pa ss") }),
            startServer(echo),
            startTlsServer((_req, res) => res.end("tls ok"))
          ],
          async (proxy, server, tls) => {
            const userinfo = `http://user:pa%20ss@127.0.0.1:${proxy.port}`
            await driver.withClient({ proxy: userinfo, tls: { ca: tls.cert } }, async (client) => {
              ok(await client.request({ method: "GET", url: `${server.origin}/u` }))
              assert.equal(ok(await client.request({ method: "GET", url: tls.origin })).body, "tls ok")
            })
            await driver.withClient({ proxy: { uri: proxy.url, token: basic("user", "pa ss") } }, async (client) => {
              ok(await client.request({ method: "GET", url: `${server.origin}/t` }))
            })
            assert.deepEqual(proxy.refused, [])
            assert.equal(proxy.forwarded.length, 2)
            assert.equal(proxy.tunnels.length, 1)
            assert.ok(server.received.every((r) => r.headers["proxy-authorization"] === undefined))
          }
        )
    )

    t.it("refused credentials (407): InvalidRequestError InvalidOption, not retried, shown nowhere", () =>
      withServers(
        [startProxy({ auth: basic("user", "right") }), startServer(echo), startTlsServer((_req, res) => res.end())],
        (proxy, server, tls) =>
          driver.withClient(
            { proxy: `http://user:s3cr3t@127.0.0.1:${proxy.port}`, tls: { ca: tls.cert }, retry: { retries: 2 } },
            async (client) => {
              for (const url of [`${server.origin}/x`, `${tls.origin}/x`]) {
                const error = failed(await client.request({ method: "GET", url }), "InvalidRequestError")
                assert.equal(error.reason, "InvalidOption")
                assert.match(error.message, /407/)
                const events = await client.events()
                noSecret([...error.renderings, ...events.map((e) => e.rendering)], [
                  "s3cr3t",
                  Buffer.from("user:s3cr3t").toString("base64")
                ])
              }
              assert.equal(proxy.refused.length, 2)
            }
          )
      ))

    t.it("a proxy that is down: TransportError ConnectionRefused, the credentials shown nowhere", async () => {
      const port = await closedPort()
      await withServers([startServer(echo)], (server) =>
        driver.withClient(
          { proxy: { uri: `http://user:s3cr3t@127.0.0.1:${port}`, token: "Bearer t0k3n" } },
          async (client) => {
            const error = failed(
              await client.request({ method: "GET", url: `${server.origin}/x`, retry: false }),
              "TransportError"
            )
            assert.equal(error.reason, "ConnectionRefused")
            noSecret(error.renderings, ["s3cr3t", "t0k3n"])
          }
        ))
    })

    t.it(
      "noProxy: a listed host:port goes direct, the others through the proxy",
      () =>
        withServers(
          [startProxy(), startServer(echo), startServer(echo)],
          (proxy, direct, proxied) =>
            driver.withClient({ proxy: { uri: proxy.url, noProxy: [`127.0.0.1:${direct.port}`] } }, async (client) => {
              ok(await client.request({ method: "GET", url: `${direct.origin}/d` }))
              ok(await client.request({ method: "GET", url: `${proxied.origin}/p` }))
              assert.deepEqual(proxy.forwarded, [`GET ${proxied.origin}/p`])
              assert.equal(direct.received.length, 1)
            })
        )
    )

    t.it(
      "\"env\": HTTP_PROXY, HTTPS_PROXY and NO_PROXY, read when the client is built; neither: direct",
      () =>
        withServers(
          [startProxy(), startServer(echo), startServer(echo), startTlsServer((_req, res) => res.end("tls ok"))],
          async (proxy, direct, proxied, tls) => {
            await withProxyEnv(
              { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${direct.port}` },
              () =>
                driver.withClient({ proxy: "env", tls: { ca: tls.cert } }, async (client) => {
                  ok(await client.request({ method: "GET", url: `${direct.origin}/d` }))
                  ok(await client.request({ method: "GET", url: `${proxied.origin}/p` }))
                  ok(await client.request({ method: "GET", url: `${tls.origin}/s` }))
                })
            )
            assert.deepEqual(proxy.forwarded, [`GET ${proxied.origin}/p`])
            assert.deepEqual(proxy.tunnels, [tls.origin.replace("https://", "")])
            await withProxyEnv({}, () =>
              driver.withClient({ proxy: "env" }, async (client) => {
                ok(await client.request({ method: "GET", url: `${proxied.origin}/again` }))
              }))
            assert.equal(proxy.forwarded.length, 1)
          }
        )
    )

    t.it("a bad value is refused naming proxy, the value redacted, and why", async () => {
      const cases: ReadonlyArray<[unknown, string]> = [
        ["ftp://user:s3cr3t@proxy.test:3128", `"ftp://proxy.test:3128" is not "env", an http: or https:`],
        ["http://user:s3cr3t@proxy.test:3128/path", `"http://proxy.test:3128/path" is not`],
        [{ uri: "http://proxy.test:3128", token: "s3cr3t\n" }, `"token":"<redacted>"`],
        [{ uri: "http://user:s3cr3t@proxy.test:3128", token: "s3cr3t", extra: 1 }, `"uri":"http://proxy.test:3128"`],
        ["http://user:%zz-s3cr3t@proxy.test:3128", `"http://proxy.test:3128" is not`],
        [5, "5 is not"]
      ]
      for (const [proxy, expected] of cases) {
        const message = await refused(driver, { proxy })
        assert.match(message, /proxy/)
        assert.ok(message.includes(expected), message)
        noSecret([message], ["s3cr3t"])
      }
      await withProxyEnv({ HTTPS_PROXY: "http://user:s3cr3t@proxy.test:3128/not-a-proxy" }, async () => {
        const message = await refused(driver, { proxy: "env" })
        assert.ok(
          message.includes(`"env": HTTPS_PROXY="http://proxy.test:3128/not-a-proxy" is not an http: or https:`),
          message
        )
        noSecret([message], ["s3cr3t"])
      })
    })
  })

  t.describe("cookies", () => {
    t.it(
      "cookies: true: a login's Set-Cookie goes with the next call to the site, by path; off by default",
      () =>
        withServers([startServer(site)], async (server) => {
          await driver.withClient({ cookies: true }, async (client) => {
            ok(await client.request({ method: "POST", url: `${server.origin}/login`, body: { text: "user=ada" } }))
            assert.equal(
              ok(await client.request({ method: "GET", url: `${server.origin}/me` })).body,
              "hello ada on 127.0.0.1"
            )
            // theme is for /prefs only
            assert.equal(server.received.at(-1)!.headers.cookie, "sid=s3cr3t-session")
          })
          await driver.withClient({ retry: false }, async (client) => {
            ok(await client.request({ method: "POST", url: `${server.origin}/login` }))
            failed(await client.request({ method: "GET", url: `${server.origin}/me` }), "StatusError")
            assert.equal(server.received.at(-1)!.headers.cookie, undefined)
          })
        })
    )

    t.it(
      "a cookie set by a redirect is sent on the next hop",
      () =>
        withServers([startServer(site)], (server) =>
          driver.withClient({ cookies: true }, async (client) => {
            assert.equal(ok(await client.request({ method: "GET", url: `${server.origin}/login-and-go` })).status, 200)
            assert.deepEqual(server.received.map((r) => r.url), ["/login-and-go", "/me"])
          }))
    )

    t.it(
      "a redirect to another host carries no cookie the jar would not send there, nor the request's own",
      () =>
        withServers([startServer(site)], (server) =>
          driver.withClient({ cookies: true }, async (client) => {
            ok(await client.request({ method: "POST", url: `${server.origin}/login` }))
            const echoed = ok(
              await client.request({
                method: "GET",
                url: `${server.origin}/away`,
                headers: { cookie: "mine=s3cr3t-own" }
              })
            )
            assert.equal(echoed.body, "cookie=")
            // the first hop carried the request's own cookie, then the jar's
            assert.equal(
              server.received.find((r) => r.url === "/away")!.headers.cookie,
              "mine=s3cr3t-own; sid=s3cr3t-session"
            )
            assert.equal(server.received.at(-1)!.headers.host, `localhost:${server.port}`)
            assert.equal(server.received.at(-1)!.headers.cookie, undefined)
          }))
    )

    t.it(
      "a user's jar: its cookies are sent, the server's stored in it, streams too",
      () =>
        withServers([startServer(site)], async (server) => {
          const jar = new CookieJar()
          await jar.setCookie("sid=s3cr3t-session; Path=/", `${server.origin}/`)
          await driver.withClient({ cookies: jar, retry: false }, async (client) => {
            const lines = await client.stream({ verb: "lines", url: `${server.origin}/me` })
            assert.deepEqual(lines.items, ["hello ada on 127.0.0.1"])
            failed(await client.request({ method: "GET", url: `${server.origin}/fail` }), "StatusError")
          })
          assert.match(await jar.getCookieString(`${server.origin}/`), /crumb=s3cr3t-crumb/)
          assert.equal(await jar.getCookieString(`http://localhost:${server.port}/`), "")
        })
    )

    t.it(
      "cookie values stay secret: a failure and the events show none",
      () =>
        withServers(
          [startServer(site)],
          (server) =>
            driver.withClient({ cookies: true, retry: false }, async (client) => {
              ok(await client.request({ method: "POST", url: `${server.origin}/login` }))
              const error = failed(await client.request({ method: "GET", url: `${server.origin}/fail` }), "StatusError")
              assert.equal(server.received.at(-1)!.headers.cookie, "sid=s3cr3t-session")
              const events = await client.events()
              noSecret([
                ...error.renderings,
                JSON.stringify(error.headers),
                ...events.map((e) => e.rendering)
              ], ["s3cr3t"])
            })
        )
    )

    t.it(
      "a jar that fails fails the attempt with InterceptorError \"cookies\"",
      () =>
        withServers([startServer(site)], (server) => {
          const broken = {
            getCookieString: () => Promise.reject(new Error("the store is down")),
            setCookie: () => Promise.resolve()
          }
          return driver.withClient({ cookies: broken, retry: false }, async (client) => {
            const error = failed(
              await client.request({ method: "GET", url: `${server.origin}/me` }),
              "InterceptorError"
            )
            assert.match(error.message, /cookies/)
            assert.equal(server.received.length, 0)
          })
        })
    )

    t.it("a bad value is refused naming cookies, the value and why", async () => {
      const message = await refused(driver, { cookies: "yes" })
      assert.match(message, /cookies/)
      assert.ok(message.includes(`"yes" is not true, false or a CookieJar`), message)
    })
  })
}
