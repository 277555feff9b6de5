import { assert, describe, it } from "@effect/vitest"
import { describeCause, reasonPhrases, requestLabel, transportReasonText } from "../../src/core/errorText.js"

describe("core/errorText", () => {
  it("requestLabel names the method, URL and attempt; without a URL only the attempt", () => {
    assert.strictEqual(requestLabel({ method: "GET", url: "https://h/p", attempt: 2 }), "GET https://h/p (attempt 2)")
    assert.strictEqual(requestLabel({ method: "GET", url: "", attempt: 1 }), "(attempt 1)")
  })

  it("describeCause: an Error's name, code and message; anything else as String makes it", () => {
    assert.strictEqual(describeCause(new TypeError("bad")), "TypeError: bad")
    assert.strictEqual(
      describeCause(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })),
      "Error [ECONNREFUSED]: refused"
    )
    assert.strictEqual(describeCause(Object.assign(new Error("x"), { code: 7 })), "Error: x")
    assert.strictEqual(describeCause({ message: "not an Error" }), "[object Object]")
    assert.strictEqual(describeCause(42), "42")
  })

  it("a phrase for every transport reason and the common statuses", () => {
    assert.strictEqual(transportReasonText.ConnectionReset, "Connection reset")
    assert.strictEqual(transportReasonText.InsecureRedirect, "Insecure redirect (https to http)")
    assert.strictEqual(transportReasonText.Unknown, "Transport failure")
    assert.strictEqual(Object.keys(transportReasonText).length, 16)
    assert.strictEqual(reasonPhrases[503], "Service Unavailable")
    assert.strictEqual(reasonPhrases[413], "Content Too Large")
    assert.strictEqual(reasonPhrases[599], undefined)
  })
})
