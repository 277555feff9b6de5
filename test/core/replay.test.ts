import { assert, describe, it } from "@effect/vitest"
import { idempotentMethods, mayRepeat } from "../../src/core/replay.js"

describe("core/replay", () => {
  it("idempotent methods repeat; POST and PATCH only with an Idempotency-Key; a custom method set", () => {
    assert.deepStrictEqual([...idempotentMethods], ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "QUERY"])
    assert.isTrue(mayRepeat("GET", false))
    assert.isFalse(mayRepeat("POST", false))
    assert.isTrue(mayRepeat("POST", true))
    assert.isTrue(mayRepeat("PATCH", true))
    assert.isFalse(mayRepeat("CONNECT", true))
    assert.isTrue(mayRepeat("POST", false, new Set(["POST"])))
    assert.isFalse(mayRepeat("GET", false, new Set(["POST"])))
  })
})
