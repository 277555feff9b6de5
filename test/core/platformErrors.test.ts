import { assert, describe, it } from "@effect/vitest"
import { platformFailure } from "../../src/core/platformErrors.js"

const coded = (code: string) => Object.assign(new Error(code), { code })

describe("core/platformErrors", () => {
  it("the platform's own request errors are the request's fault, without the platform's message", () => {
    const cause = new Error("https://u:secret@example.test")
    const encode = platformFailure({ _tag: "RequestError", reason: "Encode", cause })
    assert.deepStrictEqual([encode.reason, encode.invalid, encode.detail, encode.cause], [
      "InvalidRequest",
      "InvalidBody",
      "the platform client could not encode the body",
      cause
    ])
    const url = platformFailure({ _tag: "RequestError", reason: "InvalidUrl" })
    assert.deepStrictEqual([url.reason, url.invalid], ["InvalidRequest", "InvalidUrl"])
    assert.strictEqual(platformFailure({ _tag: "RequestError", reason: "Transport" }).reason, "Unknown")
  })

  it("the innermost cause with a known code decides (fetch wraps the socket error once more)", () => {
    const socket = coded("ECONNREFUSED")
    const fetchError = new TypeError("fetch failed", { cause: socket })
    const failure = platformFailure({ _tag: "RequestError", reason: "Transport", cause: fetchError })
    assert.deepStrictEqual([failure.reason, failure.cause], ["ConnectionRefused", socket])
    assert.strictEqual(platformFailure(coded("ENOTFOUND")).reason, "DnsFailure")
  })

  it("fetch's bad port is an invalid request naming the port; a reset message without a code is a reset", () => {
    const badPort = platformFailure(
      { cause: new TypeError("fetch failed", { cause: new Error("bad port") }) },
      new URL("http://example.test:6000/")
    )
    assert.strictEqual(badPort.reason, "InvalidRequest")
    assert.match((badPort.cause as Error).message, /^fetch refuses port 6000 \(a "bad port"/)
    const defaultPort = platformFailure({ cause: new Error("bad port") }, new URL("https://example.test/"))
    assert.match((defaultPort.cause as Error).message, /port 443 /)
    assert.strictEqual(platformFailure({ cause: new Error("socket hang up") }).reason, "ConnectionReset")
  })

  it("what says nothing is Unknown, with the innermost cause (at most five deep)", () => {
    const inner = new Error("odd")
    const failure = platformFailure({ cause: { cause: inner } })
    assert.deepStrictEqual([failure.reason, failure.cause], ["Unknown", inner])
    const bare = { message: "nothing" }
    assert.strictEqual(platformFailure(bare).cause, bare)
    let deep: unknown = coded("ECONNRESET")
    for (let i = 0; i < 6; i++) deep = { cause: deep }
    assert.strictEqual(platformFailure(deep).reason, "Unknown")
  })
})
