/**
 * The security rules of DESIGN.md: one list of secret headers decides both what is redacted and what a redirect to
 * another origin drops (and `Host` never crosses); https → http redirects are refused unless allowed; secret query
 * parameters are redacted by rule (plus `redactQueryParams`); no error path — bad URL, bad baseUrl, ConfigError —
 * shows a secret. Against real loopback servers: what the other server received is what is asserted.
 */
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, ConfigError, ConfigProvider, Effect, Exit, Layer, Logger, LogLevel, Queue, Stream } from "effect"
import { HttpResilient, ResilientClient, RetryPolicy, Telemetry } from "../src/index.js"
import type { ClientOptions } from "../src/ResilientClient.js"
import { forms } from "./support/forms.js"
import { otel } from "./support/otel.js"
import { type Received, serverScoped } from "./support/server.js"
import { tlsServer as tlsServerScoped } from "./support/tls.js"

const assertNoSecret = (values: ReadonlyArray<unknown>, secrets: ReadonlyArray<string>) => {
  for (const value of values) {
    for (const text of forms(value)) {
      for (const secret of secrets) assert.notInclude(text, secret, `a secret leaked: ${text.slice(0, 400)}`)
    }
  }
}

const overUndici = (options: ClientOptions = {}) => ResilientClient.layer(options)
const overFetch = (options: ClientOptions = {}) =>
  ResilientClient.layerFromHttpClient(options).pipe(Layer.provide(FetchHttpClient.layer))

/** A server that redirects `/hop?to=…` with `status` (302 by default) and answers anything else with 200. */
const redirecting = serverScoped((req, res) => {
  const url = new URL(req.url ?? "/", "http://x")
  const to = url.searchParams.get("to")
  if (url.pathname === "/hop" && to) {
    res.writeHead(Number(url.searchParams.get("status") ?? "302"), { location: to })
    res.end("moved")
    return
  }
  if (url.pathname === "/loop-a") return void res.writeHead(302, { location: "/loop-b" }).end()
  if (url.pathname === "/loop-b") return void res.writeHead(302, { location: "/loop-a" }).end()
  res.end(`final ${url.pathname}`)
})

const landing = serverScoped((_req, res) => res.end("landed"))

/** Headers a user may send: secret by the built-in list, by `redactHeaders` (x-tenant), by the rule, and not secret. */
const secretHeaders = {
  authorization: "Bearer S-authorization",
  cookie: "sid=S-cookie",
  "proxy-authorization": "Basic S-proxy",
  "x-api-key": "S-x-api-key",
  "x-auth-token": "S-x-auth-token",
  "x-tenant": "S-x-tenant",
  "x-vault-token": "S-x-vault-token",
  "x-client-secret": "S-x-client-secret",
  "x-session-id": "S-x-session-id",
  "x-functions-key": "S-x-functions-key"
}
const plainHeaders = {
  accept: "application/json",
  "user-agent": "secrets-test/1",
  "idempotency-key": "k-1",
  "x-request-id": "r-1"
}

const assertCrossedClean = (landed: Received) => {
  for (const name of Object.keys(secretHeaders)) {
    assert.isUndefined(landed.headers[name], `${name} crossed to another origin`)
  }
  for (const [name, value] of Object.entries(plainHeaders)) assert.strictEqual(landed.headers[name], value)
  for (const value of landed.rawHeaders) assert.notInclude(value, "S-")
}

describe("secret headers on redirects", () => {
  for (const [name, layer] of [["undici", overUndici], ["fetch", overFetch]] as const) {
    it.scopedLive(`${name}: a hop to another origin carries no secret header (built-in, redactHeaders, rule)`, () =>
      Effect.gen(function*() {
        const origin = yield* redirecting
        const other = yield* landing
        const headers = { ...secretHeaders, ...plainHeaders }
        const to = encodeURIComponent(`${other.url}/landing`)
        const response = yield* HttpResilient.get(`${origin.url}/hop?to=${to}`, { headers })
        assert.strictEqual(yield* response.text, "landed")
        // the first origin got every header, the other none of the secret ones
        for (const [header, value] of Object.entries(headers)) {
          assert.strictEqual(origin.received[0].headers[header], value)
        }
        assertCrossedClean(other.received[0])
        // a same-origin hop keeps them all
        yield* HttpResilient.get(`${origin.url}/hop?status=307&to=/same`, { headers })
        const same = origin.received.at(-1)!
        assert.strictEqual(same.url, "/same")
        for (const [header, value] of Object.entries(headers)) assert.strictEqual(same.headers[header], value)
      }).pipe(Effect.provide(Layer.orDie(layer({ redactHeaders: ["X-Tenant"] })))))
  }

  it.scopedLive("undici: the user's Host is not carried to another origin; a stream's redirect drops secrets too", () =>
    Effect.gen(function*() {
      const origin = yield* redirecting
      const other = yield* landing
      const to = encodeURIComponent(`${other.url}/landing`)
      yield* HttpResilient.get(`${origin.url}/hop?to=${to}`, {
        headers: { host: "internal.example", ...secretHeaders }
      })
      assert.strictEqual(origin.received[0].headers.host, "internal.example")
      assert.strictEqual(other.received[0].headers.host, `127.0.0.1:${other.port}`)
      const chunks = yield* HttpResilient.stream(`${origin.url}/hop?to=${to}`, {
        headers: { host: "internal.example", ...secretHeaders, ...plainHeaders }
      }).pipe(Stream.runCollect)
      assert.strictEqual(Buffer.concat([...chunks]).toString(), "landed")
      assert.strictEqual(other.received[1].headers.host, `127.0.0.1:${other.port}`)
      assertCrossedClean(other.received[1])
    }).pipe(Effect.provide(Layer.orDie(overUndici({ redactHeaders: ["x-tenant"] })))))
})

describe("https → http redirects", () => {
  /** a TLS server that redirects every request to `redirectTo`, remembering the paths it was asked for */
  const tlsServer = (redirectTo: string) =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const server = yield* tlsServerScoped((req, res) => {
        seen.push(req.url ?? "")
        res.writeHead(302, { location: redirectTo })
        res.end()
      })
      return { url: server.origin, cert: server.cert, seen }
    })

  it.scopedLive("fail with TransportError InsecureRedirect, nothing sent in cleartext; allowed, secrets still dropped", () =>
    Effect.gen(function*() {
      const plain = yield* landing
      const tls = yield* tlsServer(`${plain.url}/cleartext?token=S-query`)
      const headers = { ...secretHeaders, ...plainHeaders }
      const error = yield* Effect.flip(
        HttpResilient.get(`${tls.url}/start`, { headers }).pipe(
          Effect.provide(Layer.orDie(overUndici({ tls: { ca: tls.cert }, redactHeaders: ["x-tenant"] })))
        )
      )
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error._tag === "TransportError" && error.reason, "InsecureRedirect")
      assert.include(error.message, "Insecure redirect")
      assert.include(error.message, "allowInsecureRedirects")
      assertNoSecret([error], ["S-"])
      assert.strictEqual(plain.count(), 0)
      assert.deepStrictEqual(tls.seen, ["/start"])
      // not retried by the default policy: it is not transient
      const retried = yield* Effect.flip(
        HttpResilient.get(`${tls.url}/start`).pipe(
          Effect.retry(RetryPolicy.default),
          Effect.provide(Layer.orDie(overUndici({ tls: { ca: tls.cert }, redactHeaders: ["x-tenant"] })))
        )
      )
      assert.strictEqual(retried._tag === "TransportError" && retried.reason, "InsecureRedirect")
      assert.strictEqual(plain.count(), 0)
      // allowed: followed, and the hop (another origin) carries no secret
      const response = yield* HttpResilient.get(`${tls.url}/start`, { headers }).pipe(
        Effect.provide(
          Layer.orDie(overUndici({ tls: { ca: tls.cert }, redactHeaders: ["x-tenant"], allowInsecureRedirects: true }))
        )
      )
      assert.strictEqual(yield* response.text, "landed")
      assert.strictEqual(plain.count(), 1)
      assertCrossedClean(plain.received[0])
    }))
})

describe("redirects over FetchHttpClient follow the client's rules", () => {
  it.scopedLive("followRedirects: false returns the 3xx; a loop is RedirectLoop; a chain limit is TooManyRedirects", () =>
    Effect.gen(function*() {
      const server = yield* redirecting
      const response = yield* HttpResilient.get(`${server.url}/hop?to=/done`, { followRedirects: false })
      assert.strictEqual(response.status, 302)
      assert.strictEqual(response.headers.location, "/done")
      assert.strictEqual(server.count(), 1)
      const followed = yield* HttpResilient.get(`${server.url}/hop?to=/done`)
      assert.strictEqual(yield* followed.text, "final /done")
      const loop = yield* Effect.flip(HttpResilient.get(`${server.url}/loop-a`))
      assert.strictEqual(loop._tag === "TransportError" && loop.reason, "RedirectLoop")
      const twice = `${server.url}/hop?to=${encodeURIComponent("/hop?to=/done")}`
      const limited = yield* Effect.flip(HttpResilient.get(twice, { followRedirects: 1 }))
      assert.strictEqual(limited._tag === "TransportError" && limited.reason, "TooManyRedirects")
    }).pipe(Effect.provide(Layer.orDie(overFetch({ circuitBreaker: false })))))
})

const queryNames = [
  "api_token",
  "auth_token",
  "accessToken",
  "jwt",
  "private_token",
  "client-secret",
  "sessionToken",
  "X-Amz-Signature",
  "sig",
  "key",
  "code",
  "password"
]
/** a server that answers 500 to everything */
const failing = serverScoped((_req, res) => {
  res.statusCode = 500
  res.end()
})

const secretQuery = queryNames.map((name, i) => `${name}=QS${i}x`).join("&")
const querySecrets = queryNames.map((_, i) => `QS${i}x`)

describe("the query rule", () => {
  it("secret by name: fragments (token, secret, password, passwd, signature, credential, api key, session, auth), exact names, redactQueryParams", () => {
    const shown = Telemetry.redactUrl(`https://h/p?${secretQuery}&tenant_ref=T&page=2&sort=name&q=x#frag`)
    for (const secret of querySecrets) assert.notInclude(shown, secret)
    assert.include(shown, "&tenant_ref=T&page=2&sort=name&q=x#frag") // tenant_ref: secret only when the client names it
    for (
      const name of ["passwd", "credential", "apikey", "api-key", "API_KEY", "oauth_verifier", "x-goog-credential"]
    ) {
      assert.strictEqual(Telemetry.redactUrl(`https://h/?${name}=v&a=1`), `https://h/?${name}=<redacted>&a=1`, name)
    }
    for (const name of ["page", "limit", "cursor", "q", "id", "format", "monkey", "keyword"]) {
      assert.strictEqual(Telemetry.redactUrl(`https://h/?${name}=v`), `https://h/?${name}=v`, name)
    }
    // percent-encoded names, a parameter-shaped fragment, strings that are not URLs
    assert.strictEqual(Telemetry.redactUrl("https://h/?acc%65ss_token=v"), "https://h/?acc%65ss_token=<redacted>")
    assert.strictEqual(
      Telemetry.redactUrl("https://h/cb#access_token=v&state=s"),
      "https://h/cb#access_token=<redacted>&state=s"
    )
    assert.strictEqual(Telemetry.redactUrl("users?token=v&page=2"), "users?token=<redacted>&page=2")
    assert.strictEqual(Telemetry.redactUrl("http://u:p@h:99999/x?jwt=v"), "http://h:99999/x?jwt=<redacted>")
  })

  it.scopedLive("no secret parameter in errors, events, debug logs or span url.full; the wire has them all", () => {
    const { exporter, layer: otelLayer } = otel()
    return Effect.gen(function*() {
      const server = yield* failing
      const queue = yield* ResilientClient.subscribe
      const logged: Array<unknown> = []
      const logger = Logger.make((options) => {
        logged.push(options.message, options.cause, [...options.annotations])
      })
      const exit = yield* HttpResilient.get(`${server.url}/r?${secretQuery}&page=2`).pipe(
        Effect.tapErrorCause((cause) => Effect.logError("call failed", cause)),
        Effect.withSpan("caller"),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.Debug),
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(server.received[0].url, `/r?${secretQuery}&page=2`)
      const events = Chunk.toReadonlyArray(yield* Queue.takeAll(queue))
      assert.isTrue(events.length >= 2)
      const spans = exporter.getFinishedSpans().filter((s) => s.name === "HTTP GET")
      assert.strictEqual(spans.length, 1)
      const full = String(spans[0].attributes["url.full"])
      assert.include(full, "page=2")
      assert.isTrue(logged.length > 0)
      const failure = Exit.isFailure(exit) ? exit.cause : undefined
      assertNoSecret([failure, ...events, ...logged, full], querySecrets)
      assert.include(String(logged), "page=2")
    }).pipe(Effect.provide(Layer.merge(Layer.orDie(overUndici()), otelLayer)))
  })

  it.scopedLive("redactQueryParams adds names (case-insensitive) to the rule: errors, events and spans", () => {
    const { exporter, layer: otelLayer } = otel()
    return Effect.gen(function*() {
      const server = yield* failing
      const queue = yield* ResilientClient.subscribe
      const error = yield* Effect.flip(HttpResilient.get(`${server.url}/r?tenant_ref=S-tenant&page=2`))
      assert.include(error.message, "tenant_ref=<redacted>&page=2")
      const full = exporter.getFinishedSpans().map((s) => String(s.attributes["url.full"]))
      assert.deepStrictEqual(full, [`${server.url}/r?tenant_ref=<redacted>&page=2`])
      const invalid = yield* Effect.flip(HttpResilient.get("nobase?Tenant_Ref=S-tenant"))
      assertNoSecret([error, invalid, full, ...Chunk.toReadonlyArray(yield* Queue.takeAll(queue))], ["S-tenant"])
    }).pipe(Effect.provide(Layer.merge(Layer.orDie(overUndici({ redactQueryParams: ["TENANT_REF"] })), otelLayer)))
  })
})

describe("the secret-header rule", () => {
  it("built-ins, names containing a fragment or ending in -key, redactHeaders; common headers stay visible", () => {
    const secret = [
      "authorization",
      "Proxy-Authorization",
      "cookie",
      "set-cookie",
      "x-api-key",
      "x-auth-token",
      "api-key",
      "x-goog-api-key",
      "private-token",
      "x-vault-token",
      "x-csrf-token",
      "x-client-secret",
      "x-session-id",
      "x-password",
      "x-amz-security-token",
      "x-signature",
      "x-credential",
      "x-functions-key",
      "ocp-apim-subscription-key",
      "x-mine"
    ]
    const plain = [
      "content-type",
      "content-length",
      "accept",
      "accept-encoding",
      "accept-language",
      "user-agent",
      "idempotency-key",
      "x-idempotency-key",
      "traceparent",
      "tracestate",
      "baggage",
      "x-request-id",
      "etag",
      "if-none-match",
      "if-range",
      "range",
      "content-range",
      "last-modified",
      "location",
      "retry-after",
      "ratelimit-reset",
      "x-ratelimit-remaining",
      "cache-control",
      "host",
      "keep-alive",
      "last-event-id",
      "www-authenticate",
      "proxy-authenticate",
      "access-control-allow-credentials",
      "sec-websocket-key"
    ]
    const headers = Object.fromEntries([...secret, ...plain].map((name) => [name, `value-of-${name}`]))
    const shown = Telemetry.redactHeaders(headers, ["X-Mine"])
    for (const name of secret) assert.strictEqual(shown[name], Telemetry.REDACTED, name)
    for (const name of plain) assert.strictEqual(shown[name], `value-of-${name}`, name)
  })

  it.scopedLive("a StatusError shows rule-matched response headers redacted, common ones as they are", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.writeHead(503, { "x-session-id": "S-session", "content-type": "text/plain", "retry-after": "1" })
        res.end()
      })
      const error = yield* Effect.flip(HttpResilient.get(server.url))
      assert.strictEqual(error._tag, "StatusError")
      if (error._tag !== "StatusError") return
      assert.strictEqual(error.headers["x-session-id"], Telemetry.REDACTED)
      assert.strictEqual(error.headers["content-type"], "text/plain")
      assertNoSecret([error], ["S-session"])
    }).pipe(Effect.provide(Layer.orDie(overUndici()))))
})

describe("no error path shows a secret", () => {
  it.scopedLive("a relative URL without baseUrl, an unparseable URL, a bad request URL scheme", () =>
    Effect.gen(function*() {
      const errors = [
        yield* Effect.flip(HttpResilient.get("users?token=S-rel&api_token=S-rel2")),
        yield* Effect.flip(HttpResilient.get("http://h:99999/x?jwt=S-port&page=1")),
        yield* Effect.flip(HttpResilient.get("http://u:S-userinfo@[bad/x?sessionToken=S-bad")),
        yield* Effect.flip(HttpResilient.get("ftp://u:S-ftp@h/x?sig=S-ftp2")),
        yield* Effect.flip(HttpResilient.get("http://h/x?client_secret=S-param", { timeout: -1 })),
        yield* Effect.flip(ResilientClient.warmUp("files?client-secret=S-warm", 1))
      ]
      for (const error of errors) {
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(error._tag === "InvalidRequestError" && error.reason !== undefined, true)
      }
      assert.include(errors[0].message, "users?token=<redacted>&api_token=<redacted>")
      assert.include(errors[1].message, "jwt=<redacted>&page=1")
      assertNoSecret(errors, ["S-rel", "S-port", "S-userinfo", "S-bad", "S-ftp", "S-param", "S-warm"])
      assertNoSecret(errors.map((e) => (e as { cause?: unknown }).cause), ["S-"])
    }).pipe(Effect.provide(Layer.orDie(overUndici()))))

  it.effect("a bad baseUrl: the ConfigError names the option and shows the value redacted, from code or environment", () =>
    Effect.gen(function*() {
      const fromCode = yield* Effect.flip(
        Effect.scoped(Layer.build(ResilientClient.layer({ baseUrl: "ftp://u:S-base@h/?token=S-base2" })))
      )
      const fromEnv = yield* Effect.flip(Effect.scoped(Layer.build(ResilientClient.layerConfig("SEC")))).pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["SEC_BASE_URL", "ftp://u:S-env@h/?api_token=S-env2"]]), { pathDelim: "_" })
        )
      )
      for (const error of [fromCode, fromEnv]) {
        assert.isTrue(ConfigError.isConfigError(error))
        assert.include(String(error), "baseUrl")
        assert.include(String(error), "is not an absolute http: or https: URL")
        assert.include(String(error), "ftp://h/?")
        assertNoSecret([error, Cause.fail(error)], ["S-base", "S-env"])
      }
    }))

  it.scopedLive("'%' in URL userinfo is an InvalidRequestError, not a defect, and does not show the password", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(HttpResilient.get("http://alice:p%ss-S-pct@127.0.0.1:1/"))
      assert.isTrue(Exit.isFailure(exit))
      if (!Exit.isFailure(exit)) return
      const error = Cause.failureOption(exit.cause)
      assert.strictEqual(error._tag, "Some")
      if (error._tag !== "Some") return
      assert.strictEqual(error.value._tag, "InvalidRequestError")
      assert.strictEqual(error.value._tag === "InvalidRequestError" && error.value.reason, "InvalidUrl")
      assert.include(error.value.message, "percent-encoding")
      assertNoSecret([exit.cause], ["S-pct", "p%ss"])
    }).pipe(Effect.provide(Layer.orDie(overUndici()))))
})

describe("baseUrl userinfo", () => {
  it.scopedLive("is sent as Basic auth for relative requests, to the base's origin only, and shown nowhere", () =>
    Effect.gen(function*() {
      const server = yield* failing
      const base = server.url.replace("http://", "http://alice:S-base%40pw@") + "/v1"
      const error = yield* Effect.flip(
        HttpResilient.get("users/1").pipe(Effect.provide(Layer.orDie(overUndici({ baseUrl: base }))))
      )
      assert.strictEqual(server.received[0].url, "/v1/users/1")
      assert.strictEqual(
        server.received[0].headers.authorization,
        "Basic " + Buffer.from("alice:S-base@pw").toString("base64")
      )
      assertNoSecret([error], ["S-base", Buffer.from("alice:S-base@pw").toString("base64")])
      // an explicit authorization header wins
      yield* Effect.flip(
        HttpResilient.get("users/2", { headers: { authorization: "Bearer t" } }).pipe(
          Effect.provide(Layer.orDie(overUndici({ baseUrl: base })))
        )
      )
      assert.strictEqual(server.received[1].headers.authorization, "Bearer t")
      // an absolute URL to another origin does not get the base's credentials
      const other = yield* landing
      yield* HttpResilient.get(`${other.url}/x`).pipe(Effect.provide(Layer.orDie(overUndici({ baseUrl: base }))))
      assert.isUndefined(other.received[0].headers.authorization)
    }))
})

describe("options from the environment", () => {
  it.scopedLive("REDACT_QUERY_PARAMS and ALLOW_INSECURE_REDIRECTS are read like the other options", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(
        new Map([["SEC_REDACT_QUERY_PARAMS", "tenant_ref,Region"], ["SEC_ALLOW_INSECURE_REDIRECTS", "true"]]),
        { pathDelim: "_" }
      )
      const options = yield* ResilientClient.optionsFromConfig("SEC").pipe(Effect.withConfigProvider(env))
      assert.deepStrictEqual(options, { allowInsecureRedirects: true, redactQueryParams: ["tenant_ref", "Region"] })
      // the client layerConfig makes of them: an https → http redirect is followed, and "region" (in any case) is
      // redacted like a built-in secret parameter
      const plain = yield* serverScoped((req, res) => {
        res.statusCode = req.url?.startsWith("/cleartext") ? 200 : 500
        res.end("landed")
      })
      const tls = yield* tlsServerScoped((_req, res) => {
        res.writeHead(302, { location: `${plain.url}/cleartext` })
        res.end()
      })
      const client = Layer.orDie(ResilientClient.layerConfig("SEC", { tls: { ca: tls.cert } }))
      const response = yield* HttpResilient.get(`${tls.origin}/start`).pipe(
        Effect.provide(client),
        Effect.withConfigProvider(env)
      )
      assert.strictEqual(yield* response.text, "landed")
      const error = yield* Effect.flip(
        HttpResilient.get(`${plain.url}/x?region=S-region&page=2`).pipe(
          Effect.provide(client),
          Effect.withConfigProvider(env)
        )
      )
      assert.strictEqual(error.url, `${plain.url}/x?region=${Telemetry.REDACTED}&page=2`)
      assertNoSecret([error], ["S-region"])
      const bad = yield* Effect.flip(Effect.scoped(Layer.build(ResilientClient.layer({ redactQueryParams: [""] }))))
      assert.include(String(bad), "redactQueryParams")
    }))
})
