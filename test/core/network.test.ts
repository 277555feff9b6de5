import { assert, describe, it } from "@effect/vitest"
import { CookieJarUnavailable, newCookieJar, storeSetCookies, withJarCookies } from "../../src/core/cookies.js"
import { isProxyOption, ProxyEnvError, resolveProxy } from "../../src/core/proxy.js"

describe("core/proxy", () => {
  it("a proxy is an http: or https: URL with nothing after the authority, or { uri, token?, noProxy? }, or \"env\"", () => {
    for (
      const ok of ["env", "http://p:3128", "https://u:p@p", { uri: "http://p", token: "Bearer t", noProxy: ["a"] }]
    ) {
      assert.isTrue(isProxyOption(ok), JSON.stringify(ok))
    }
    for (
      const bad of ["ftp://p", "http://p/x", "http://p?x", "http://p#x", "http://u:%zz@p", { uri: "http://p", x: 1 }]
    ) {
      assert.isFalse(isProxyOption(bad), JSON.stringify(bad))
    }
    assert.isFalse(isProxyOption({ uri: "http://p", token: "" }))
    assert.isFalse(isProxyOption({ uri: "http://p", token: "a\nb" }))
  })

  it("\"env\" reads the lower-case names first, an empty value as unset; a bad one is named, its value redacted", () => {
    assert.deepStrictEqual(
      resolveProxy("env", {
        http_proxy: "http://lower:1",
        HTTP_PROXY: "http://upper:1",
        https_proxy: "",
        HTTPS_PROXY: "http://s:2",
        NO_PROXY: "a,b"
      }),
      { httpProxy: "http://lower:1", httpsProxy: "http://s:2", noProxy: "a,b" }
    )
    assert.strictEqual(resolveProxy("env", { NO_PROXY: "a" }), undefined)
    const bad = resolveProxy("env", { https_proxy: "http://u:s3cr3t@p/x" })
    assert.instanceOf(bad, ProxyEnvError)
    assert.strictEqual(
      (bad as ProxyEnvError).reason,
      `"env": https_proxy="http://p/x" is not an http: or https: proxy URL with no path, query or fragment`
    )
    assert.deepStrictEqual(resolveProxy({ uri: "http://p", noProxy: ["a", "b:1"] }, {}), {
      httpProxy: "http://p",
      httpsProxy: "http://p",
      noProxy: "a,b:1",
      token: undefined
    })
  })
})

describe("core/cookies", () => {
  it("a hop carries the jar's cookies after its own, on a copy; none stored: the hop itself", () => {
    const hop = { method: "GET", url: new URL("http://a.test/"), headers: { cookie: "mine=1" }, body: null }
    assert.strictEqual(withJarCookies(hop, ""), hop)
    const sent = withJarCookies(hop, "sid=2")
    assert.strictEqual(sent.headers.cookie, "mine=1; sid=2")
    assert.strictEqual(hop.headers.cookie, "mine=1")
    assert.strictEqual(withJarCookies({ ...hop, headers: {} }, "sid=2").headers.cookie, "sid=2")
  })

  it("Set-Cookies are stored in order, refused ones ignored; tough-cookie that cannot load says how to fix it", async () => {
    const jar = await newCookieJar()
    await storeSetCookies(jar, ["a=1; Path=/", "b=2; Domain=other.test", "c=3; Path=/"], "http://a.test/x")
    assert.strictEqual(await jar.getCookieString("http://a.test/"), "a=1; c=3")
    const missing = await newCookieJar(() => Promise.reject(new Error("Cannot find package 'tough-cookie'"))).catch(
      (e: unknown) => e
    )
    assert.instanceOf(missing, CookieJarUnavailable)
    assert.include((missing as CookieJarUnavailable).reason, "npm install tough-cookie")
  })
})
