import { assert, describe, it } from "@effect/vitest"
import {
  fromHeaderRecord,
  fromRawHeaders,
  isToken,
  isValidHeaderValue,
  lowerCaseHeaders,
  mergeHeaders,
  normaliseMethod,
  withoutSetCookie
} from "../../src/core/headers.js"
import { RequestValidationError } from "../../src/core/requestError.js"
import { defaultSecrets } from "../../src/core/secrets.js"

describe("core/headers", () => {
  it("tokens and header values", () => {
    assert.isTrue(isToken("x-request-id"))
    assert.isTrue(isToken("!#$%&'*+-.^_`|~09azAZ"))
    assert.isFalse(isToken(""))
    assert.isFalse(isToken("a b"))
    assert.isFalse(isToken("é"))
    assert.isTrue(isValidHeaderValue("text/plain;\tq=1 ÿ"))
    assert.isFalse(isValidHeaderValue("a\r\nb"))
    assert.isFalse(isValidHeaderValue("a\u0000"))
    assert.isFalse(isValidHeaderValue("\u0100"))
  })

  it("methods: standard ones upper-cased, others kept as written, non-tokens refused", () => {
    assert.strictEqual(normaliseMethod("get"), "GET")
    assert.strictEqual(normaliseMethod("query"), "QUERY")
    assert.strictEqual(normaliseMethod("Purge"), "Purge")
    const bad = normaliseMethod("GE T")
    assert.instanceOf(bad, RequestValidationError)
    assert.strictEqual((bad as RequestValidationError).reason, "InvalidMethod")
  })

  it("lowerCaseHeaders flattens every shape, joining repeated names", () => {
    const expected = { accept: "a, b", "retry-after": "5" }
    assert.deepStrictEqual(lowerCaseHeaders({ Accept: ["a", "b"], "Retry-After": "5", skipped: undefined }), expected)
    assert.deepStrictEqual(lowerCaseHeaders([["Accept", "a"], ["accept", "b"], ["Retry-After", "5"]]), expected)
    assert.deepStrictEqual(
      lowerCaseHeaders(new Headers([["Accept", "a"], ["Accept", "b"], ["Retry-After", "5"]])),
      expected
    )
  })

  it("mergeHeaders: lower-case names, the later value wins, the first invalid entry is the error", () => {
    const target: Record<string, string> = { accept: "x" }
    assert.isUndefined(mergeHeaders(target, { Accept: "y", "X-List": ["1", "2"] }, defaultSecrets))
    assert.deepStrictEqual(target, { accept: "y", "x-list": "1, 2" })
    assert.isUndefined(mergeHeaders(target, new Headers({ "X-Other": "z" }), defaultSecrets))
    assert.strictEqual(target["x-other"], "z")
    const bad = mergeHeaders({}, [["a", "1"], ["b c", "2"], ["d e", "3"]], defaultSecrets)
    assert.instanceOf(bad, RequestValidationError)
    assert.match((bad as RequestValidationError).detail, /"b c" is not an HTTP token/)
    const secret = mergeHeaders({}, { authorization: "Bearer s3cret\r\n" }, defaultSecrets)
    assert.notInclude((secret as RequestValidationError).detail, "s3cret")
    const shown = mergeHeaders({}, { accept: "text\n" }, defaultSecrets)
    assert.include((shown as RequestValidationError).detail, "text")
  })

  it("response headers: raw lists and records flatten alike, set-cookie kept apart", () => {
    const raw = fromRawHeaders([
      Buffer.from("Content-Type"),
      Buffer.from("text/plain"),
      Buffer.from("Set-Cookie"),
      Buffer.from("a=1"),
      Buffer.from("Vary"),
      Buffer.from("accept"),
      Buffer.from("vary"),
      Buffer.from("origin"),
      Buffer.from("set-cookie"),
      Buffer.from("b=2")
    ])
    assert.deepStrictEqual(raw, {
      headers: { "content-type": "text/plain", vary: "accept, origin" },
      setCookie: ["a=1", "b=2"]
    })
    assert.deepStrictEqual(fromRawHeaders(null), { headers: {}, setCookie: [] })
    const record = fromHeaderRecord({
      "content-type": "text/plain",
      vary: ["accept", "origin"],
      "set-cookie": ["a=1", "b=2"],
      gone: undefined
    })
    assert.deepStrictEqual(record, raw)
    assert.deepStrictEqual(fromHeaderRecord({ "set-cookie": "a=1" }).setCookie, ["a=1"])
    assert.deepStrictEqual(withoutSetCookie({ a: "1", "set-cookie": "c=1" }), { a: "1" })
  })
})
