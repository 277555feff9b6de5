import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { HttpResilient, HttpResilientTest } from "../src/index.js"
import { defaultSecrets } from "../src/internal/redact.js"
import { isValidHeaderValue, joinUrl, mergeHeaders, RequestValidationError } from "../src/internal/request.js"

const hasBadChar = (s: string) =>
  [...s].some((ch) => {
    const c = ch.charCodeAt(0)
    return (c < 32 && c !== 9) || c === 127 || c > 255
  })

describe("header validation (property)", () => {
  it("never throws; refuses exactly the values with CR, LF, NUL, other controls or non-latin1; keeps the rest as given", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-ascii" })),
        fc.constantFrom("x-a", "authorization", "X-Mixed-Case"),
        (value, name) => {
          const target: Record<string, string> = {}
          const result = mergeHeaders(target, { [name]: value }, defaultSecrets)
          if (hasBadChar(value)) {
            assert.instanceOf(result, RequestValidationError)
            assert.isUndefined(target[name.toLowerCase()])
            // a redacted header's value is never echoed in the message
            if (name === "authorization" && value.length > 3) assert.notInclude(result!.detail, value)
          } else {
            assert.isUndefined(result)
            assert.strictEqual(target[name.toLowerCase()], value)
          }
          assert.strictEqual(isValidHeaderValue(value), !hasBadChar(value))
        }
      ),
      { numRuns: 10_000 }
    )
  })

  it("header names: only RFC 9110 tokens pass", () => {
    const tokenChar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 0, maxLength: 20 }), (name) => {
        const result = mergeHeaders({}, [[name, "v"]], defaultSecrets)
        assert.strictEqual(result === undefined, tokenChar.test(name))
      }),
      { numRuns: 10_000 }
    )
  })
})

describe("URL joining (property)", () => {
  // dot segments ("." and "..") are resolved as RFC 3986 says, so they are left out here
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/).filter((s) => !/^\.+$/.test(s))
  const base = fc.constantFrom(
    "http://127.0.0.1:8080",
    "http://h.test/api",
    "https://h.test/api/v1/",
    "http://h.test/a?k=v"
  )

  it("never throws; a relative path lands under the base path, byte for byte", () => {
    fc.assert(
      fc.property(base, fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), (b, parts, leadingSlash) => {
        const baseUrl = new URL(b)
        const path = (leadingSlash ? "/" : "") + parts.join("/")
        const joined = joinUrl(path, baseUrl)
        assert.notInstanceOf(joined, RequestValidationError)
        const url = joined as URL
        const basePath = baseUrl.pathname.endsWith("/") ? baseUrl.pathname : baseUrl.pathname + "/"
        assert.strictEqual(url.origin, baseUrl.origin)
        assert.strictEqual(url.pathname, basePath + parts.join("/"))
        assert.strictEqual(url.search, baseUrl.search)
      }),
      { numRuns: 10_000 }
    )
  })

  it("never throws on any input: either a URL with an http(s) scheme, or a validation error", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string({ unit: "binary" })), (input) => {
        const joined = joinUrl(input, new URL("http://h.test/base"))
        if (joined instanceof URL) {
          assert.include(["http:", "https:"], joined.protocol)
          assert.isFalse(/[\u0000-\u001f\u007f]/.test(joined.href))
        } else {
          assert.instanceOf(joined, RequestValidationError)
        }
      }),
      { numRuns: 10_000 }
    )
  })

  it("absolute URLs are used as they are", () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), (input) => {
        const joined = joinUrl(input, new URL("http://other.test/base"))
        assert.notInstanceOf(joined, RequestValidationError)
        assert.strictEqual((joined as URL).href, new URL(input).href)
      }),
      { numRuns: 10_000 }
    )
  })
})

describe("through the public API (property)", () => {
  it.effect("any header value: sent exactly as given, or refused with InvalidRequestError before any I/O", () =>
    Effect.gen(function*() {
      const samples = fc.sample(fc.oneof(fc.string(), fc.string({ unit: "binary" })), { numRuns: 2_000, seed: 42 })
      let sent = 0
      for (const value of samples) {
        const result = yield* Effect.either(HttpResilient.get("http://api.test/", { headers: { "x-v": value } }))
        if (hasBadChar(value)) {
          assert.strictEqual(result._tag, "Left")
          if (result._tag === "Left") assert.strictEqual(result.left._tag, "InvalidRequestError")
        } else {
          assert.strictEqual(result._tag, "Right")
          sent++
        }
      }
      const requests = yield* HttpResilientTest.requests
      assert.strictEqual(requests.length, sent)
      const good = samples.filter((v) => !hasBadChar(v))
      assert.deepStrictEqual(requests.map((r) => r.headers["x-v"]), good)
    }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)]))))
})
