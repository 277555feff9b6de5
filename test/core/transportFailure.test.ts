import { assert, describe, it } from "@effect/vitest"
import { invalidStatus, TIMEOUT, TransportFailure } from "../../src/core/transportFailure.js"

describe("core/transportFailure", () => {
  it("a status from 100 to 599 is valid; anything else is a ProtocolError naming it", () => {
    for (const status of [100, 200, 599]) assert.strictEqual(invalidStatus(status), undefined)
    for (const status of [0, 99, 600, 999]) {
      const failure = invalidStatus(status)
      assert.instanceOf(failure, TransportFailure)
      assert.deepStrictEqual([failure?.reason, failure?.detail], ["ProtocolError", `invalid status ${status}`])
    }
  })

  it("a failure carries its reason, cause, detail and invalid-request reason; TIMEOUT is the Timeout", () => {
    const cause = new Error("x")
    const failure = new TransportFailure("InvalidRequest", cause, "why", "InvalidHeader")
    assert.deepStrictEqual([failure._tag, failure.reason, failure.cause, failure.detail, failure.invalid], [
      "TransportFailure",
      "InvalidRequest",
      cause,
      "why",
      "InvalidHeader"
    ])
    assert.strictEqual(TIMEOUT.reason, "Timeout")
  })
})
