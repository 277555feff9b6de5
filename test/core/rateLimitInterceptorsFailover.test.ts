import { assert, describe, it } from "@effect/vitest"
import { badFailoverEntry, checkFailover, urlForAttempt } from "../../src/core/failover.js"
import { interceptorProblem, rawResponseOf, wrongResult } from "../../src/core/interceptors.js"
import {
  AdaptivePauses,
  rateLimiterShapeProblem,
  rateLimitKey,
  waitWithin,
  WouldPassDeadline
} from "../../src/core/rateLimit.js"
import { defaultSecrets } from "../../src/core/secrets.js"

describe("core/rateLimit", () => {
  it("the option's shape: limit and window together, a quota or adaptive", () => {
    assert.isUndefined(rateLimiterShapeProblem({ limit: 1, window: 1000 }))
    assert.isUndefined(rateLimiterShapeProblem({ adaptive: true }))
    assert.deepStrictEqual(rateLimiterShapeProblem({ limit: 1 })?.field, "window")
    assert.deepStrictEqual(rateLimiterShapeProblem({ window: 1 })?.field, "limit")
    assert.deepStrictEqual(rateLimiterShapeProblem({}), {
      field: undefined,
      text: `set "limit" and "window", or "adaptive: true", or both`
    })
  })

  it("the key: the origin, the string, or the function's answer", () => {
    const url = new URL("http://a.test/x?user=7")
    assert.strictEqual(rateLimitKey(undefined, "GET", url, url.origin), "http://a.test")
    assert.strictEqual(rateLimitKey("partner", "GET", url, url.origin), "partner")
    assert.strictEqual(rateLimitKey((r) => `${r.method}:${r.url.searchParams.get("user")}`, "GET", url, ""), "GET:7")
  })

  it("a wait goes when it fits before the deadline, else it is refused", () => {
    assert.strictEqual(waitWithin(0, 100, 150), 0)
    assert.strictEqual(waitWithin(50, 100, 150), 50)
    assert.strictEqual(waitWithin(50, 100, undefined), 50)
    const refused = waitWithin(51, 100, 150)
    assert.isTrue(refused instanceof WouldPassDeadline && refused.waitMillis === 51)
  })

  it("adaptive pauses: a 429 with a wait pauses its origin; a shorter one does not shorten it; bounded", () => {
    const pauses = new AdaptivePauses(2)
    pauses.observe("http://a", 503, 1000, 0)
    pauses.observe("http://a", 429, undefined, 0)
    assert.strictEqual(pauses.size, 0)
    pauses.observe("http://a", 429, 1000, 0)
    pauses.observe("http://a", 429, 10, 500)
    assert.strictEqual(pauses.remaining("http://a", 500), 500)
    pauses.observe("http://b", 429, 100, 0)
    // past the cap, a pause that is over goes first
    pauses.observe("http://c", 429, 1000, 200)
    assert.strictEqual(pauses.size, 2)
    assert.strictEqual(pauses.until("http://b"), 0)
    assert.strictEqual(pauses.until("http://c"), 1200)
  })
})

describe("core/failover", () => {
  it("one URL per attempt, round the list", () => {
    assert.deepStrictEqual([1, 2, 3, 4].map((n) => urlForAttempt("p", ["f1", "f2"], n)), ["p", "f1", "f2", "p"])
    assert.strictEqual(urlForAttempt("p", [], 2), "p")
    assert.strictEqual(urlForAttempt("p", undefined, 2), "p")
  })

  it("the list's shape and every URL joined up front", () => {
    assert.isUndefined(badFailoverEntry(["http://a.test/", new URL("http://b.test/")]))
    assert.strictEqual(badFailoverEntry("http://a.test/"), -1)
    assert.strictEqual(badFailoverEntry(["http://a.test/", 5]), 1)
    assert.isUndefined(checkFailover(["http://a.test/"], undefined, defaultSecrets))
    assert.match(checkFailover(["http://a.test/", "rel"], undefined, defaultSecrets)?.detail ?? "", /^failover\[1\]: /)
    assert.isUndefined(checkFailover(["rel"], new URL("http://base.test/v1"), defaultSecrets))
  })
})

describe("core/interceptors", () => {
  it("each entry: a name and at least one function", () => {
    assert.isUndefined(interceptorProblem({ name: "a", onRequest: () => 1 }, "interceptors[0]"))
    assert.strictEqual(
      interceptorProblem(null, "interceptors[0]"),
      "interceptors[0]: expected { name, onRequest?, onResponse? }"
    )
    assert.strictEqual(
      interceptorProblem({ name: "x", onResponse: 5 }, "interceptors[1]"),
      "interceptors[1] (x): onResponse is not a function"
    )
    assert.strictEqual(interceptorProblem({ name: "x" }, "i"), "i (x): has neither onRequest nor onResponse")
  })

  it("a wrong result names what came back; a Promise's rejection is caught", async () => {
    let unhandled = 0
    const count = () => unhandled++
    process.on("unhandledRejection", count)
    assert.include(wrongResult("onRequest", Promise.reject(new Error("x")), false).message, "returned a Promise")
    assert.include(wrongResult("onResponse", 5, true).message, "succeeded with number, not an HttpClientResponse")
    await new Promise((resolve) => setImmediate(resolve))
    process.off("unhandledRejection", count)
    assert.strictEqual(unhandled, 0)
  })

  it("a replaced response read back: headers without set-cookie, the cookie apart, the body", () => {
    const raw = rawResponseOf(
      { status: 202, headers: { "content-type": "text/plain", "set-cookie": "a=1" }, request: { url: "http://a/" } },
      new TextEncoder().encode("hi").buffer as ArrayBuffer
    )
    assert.deepStrictEqual(
      { ...raw, body: new TextDecoder().decode(raw.body) },
      {
        status: 202,
        statusText: "",
        headers: { "content-type": "text/plain" },
        setCookie: ["a=1"],
        body: "hi",
        url: "http://a/"
      }
    )
  })
})
