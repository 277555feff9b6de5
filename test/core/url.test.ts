import { assert, describe, it } from "@effect/vitest"
import { RequestValidationError } from "../../src/core/requestError.js"
import { Secrets } from "../../src/core/secrets.js"
import {
  appendParams,
  appendUrlParamsOption,
  basicAuth,
  joinUrl,
  originOf,
  urlWithParams,
  userinfoToAuthorization
} from "../../src/core/url.js"

const href = (u: URL | RequestValidationError) => {
  assert.instanceOf(u, URL)
  return (u as URL).href
}

describe("core/url", () => {
  it("joins relative URLs under the base's path, keeping the base's query first", () => {
    const base = new URL("https://api.test/v1?key=k")
    assert.strictEqual(href(joinUrl("users/1", base)), "https://api.test/v1/users/1?key=k")
    assert.strictEqual(href(joinUrl("/users/1?page=2#top", base)), "https://api.test/v1/users/1?key=k&page=2#top")
    assert.strictEqual(href(joinUrl("http://other.test/x", base)), "http://other.test/x")
    assert.strictEqual(href(joinUrl(new URL("https://u.test/a"), undefined)), "https://u.test/a")
  })

  it("carries the base's userinfo to the base's origin only", () => {
    const base = new URL("https://user:pw@api.test/")
    assert.strictEqual(href(joinUrl("x", base)), "https://user:pw@api.test/x")
    assert.strictEqual(href(joinUrl("https://other.test/x", base)), "https://other.test/x")
  })

  it("refuses control characters, other schemes and a relative URL without a base, showing no secret", () => {
    const reason = (u: URL | RequestValidationError) => (u as RequestValidationError).reason
    assert.strictEqual(reason(joinUrl("https://a.test/\n", undefined)), "InvalidUrl")
    assert.match((joinUrl("ftp://a.test/", undefined) as RequestValidationError).detail, /unsupported scheme "ftp:"/)
    const relative = joinUrl("x?session_id=s3cret", undefined, new Secrets())
    assert.match((relative as RequestValidationError).detail, /needs the client's baseUrl/)
    assert.notInclude((relative as RequestValidationError).detail, "s3cret")
    const bad = joinUrl("https://s3cret@[bad/", undefined) as RequestValidationError
    assert.strictEqual(bad.detail, "not a valid URL")
    assert.notInclude(JSON.stringify(bad.cause), "s3cret")
    assert.isUndefined((bad.cause as { input?: unknown }).input)
  })

  it("URL parameters: every shape, in order; a value that cannot be encoded is an invalid option", () => {
    const params = new URLSearchParams("a=0")
    appendParams(params, { a: [1, true], b: "x y", skipped: undefined })
    appendParams(params, [["c", "3"]])
    appendParams(params, new URLSearchParams("d=4"))
    assert.strictEqual(params.toString(), "a=0&a=1&a=true&b=x+y&c=3&d=4")
    const url = new URL("https://a.test/?q=1")
    assert.isUndefined(appendUrlParamsOption(url, { page: 2 }))
    assert.strictEqual(url.href, "https://a.test/?q=1&page=2")
    const unencodable = {
      toString() {
        throw new Error("no text")
      }
    }
    const error = appendUrlParamsOption(url, { bad: unencodable as unknown as string })
    assert.strictEqual(error?.reason, "InvalidOption")
  })

  it("a platform request's URL: its text, parameters and fragment", () => {
    assert.strictEqual(urlWithParams("https://a.test/p", [["q", "1"]], "frag").href, "https://a.test/p?q=1#frag")
    assert.strictEqual(urlWithParams("https://a.test/p", []).href, "https://a.test/p")
    assert.throws(() => urlWithParams("relative", []))
  })

  it("userinfo becomes Basic auth unless an authorization header is set, and leaves the URL", () => {
    const url = new URL("https://us%40er:p%3Aw@a.test/")
    const headers: Record<string, string> = {}
    assert.isUndefined(userinfoToAuthorization(url, headers))
    assert.strictEqual(headers.authorization, "Basic " + Buffer.from("us@er:p:w").toString("base64"))
    assert.strictEqual(url.href, "https://a.test/")
    const kept = { authorization: "Bearer t" }
    const other = new URL("https://u:p@a.test/")
    assert.isUndefined(userinfoToAuthorization(other, kept))
    assert.deepStrictEqual(kept, { authorization: "Bearer t" })
    assert.strictEqual(other.username, "")
    const invalid = new URL("https://a.test/")
    invalid.username = "%zz"
    assert.strictEqual((basicAuth(invalid) as RequestValidationError).reason, "InvalidUrl")
    assert.notInclude((basicAuth(invalid) as RequestValidationError).detail, "%zz")
  })

  it("originOf reads a URL's origin once, and afresh for another URL or one changed in place", () => {
    const url = new URL("http://a.test:8080/x?q=1")
    assert.strictEqual(originOf(url), "http://a.test:8080")
    assert.strictEqual(originOf(url), "http://a.test:8080")
    url.host = "b.test:81"
    assert.strictEqual(originOf(url), "http://b.test:81")
    url.protocol = "https:"
    assert.strictEqual(originOf(url), "https://b.test:81")
    const other = new URL("https://c.test/")
    assert.strictEqual(originOf(other), "https://c.test")
    assert.strictEqual(originOf(url), "https://b.test:81")
    // another URL object of the same text, and one of the same origin with another path
    assert.strictEqual(originOf(new URL(url.href)), "https://b.test:81")
    assert.strictEqual(originOf(new URL("https://b.test:81/other")), "https://b.test:81")
    assert.strictEqual(originOf(new URL("https://b.test:82/other")), "https://b.test:82")
  })
})
