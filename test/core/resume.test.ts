import { assert, describe, it } from "@effect/vitest"
import { contentRangeStart, Download, NotResumable, strongEtag } from "../../src/core/resume.js"
import { EventLog } from "../../src/core/sseReconnect.js"

const detail = (value: unknown): string | undefined => value instanceof NotResumable ? value.detail : undefined

describe("core/resume", () => {
  it("validators: a strong ETag, else Last-Modified; a weak ETag is none", () => {
    assert.strictEqual(strongEtag({ etag: "\"v1\"" }), "\"v1\"")
    assert.strictEqual(strongEtag({ etag: "W/\"v1\"" }), undefined)
    const download = new Download()
    download.first({ etag: "W/\"v1\"", "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" })
    assert.strictEqual(download.validator, "Wed, 21 Oct 2015 07:28:00 GMT")
    download.first({ etag: "\"v2\"", "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" })
    assert.strictEqual(download.validator, "\"v2\"")
  })

  it("after a drop: start over before any byte, fail without resume or validator, else a range from the offset", () => {
    const download = new Download()
    assert.strictEqual(download.afterDrop(false), "again")
    assert.strictEqual(download.rangeHeaders(), undefined)
    download.offset = 10
    assert.strictEqual(download.afterDrop(false), "fail")
    assert.include(detail(download.afterDrop(true)), "neither a strong ETag nor Last-Modified")
    download.first({ etag: "\"v1\"" })
    assert.strictEqual(download.afterDrop(true), "resume")
    assert.deepStrictEqual(download.rangeHeaders(), { range: "bytes=10-", "if-range": "\"v1\"" })
    assert.isTrue(download.progressed())
    assert.isFalse(download.progressed())
  })

  it("a 206 continues only at the offset with the same ETag", () => {
    const download = new Download()
    download.first({ etag: "\"v1\"" })
    download.offset = 100
    assert.strictEqual(download.checkRange(206, { "content-range": "bytes 100-199/200", etag: "\"v1\"" }), undefined)
    assert.include(detail(download.checkRange(200, {})), "whole body again")
    assert.include(detail(download.checkRange(416, {})), "status 416")
    assert.include(detail(download.checkRange(206, {})), "no Content-Range")
    assert.include(detail(download.checkRange(206, { "content-range": "bytes 99-199/200" })), "does not start at 100")
    assert.include(
      detail(download.checkRange(206, { "content-range": "bytes 100-199/*", etag: "\"v2\"" })),
      "the ETag changed"
    )
    assert.strictEqual(contentRangeStart("bytes 5-9/*"), 5)
    assert.strictEqual(contentRangeStart("bytes */200"), undefined)
  })
})

describe("core/sseReconnect", () => {
  it("remembers the last id (an empty id forgets it), delivers an id once, reports the server's retry:", () => {
    const log = new EventLog("0")
    assert.deepStrictEqual(log.headers(), { "last-event-id": "0" })
    const a = { id: "1", event: "message", data: "a" }
    const b = { id: undefined, event: "message", data: "b" }
    assert.deepStrictEqual(log.fresh([a, b], 250), [a, b])
    assert.deepStrictEqual(log.headers(), { "last-event-id": "1" })
    assert.deepStrictEqual(log.fresh([a], undefined), [])
    assert.deepStrictEqual(log.afterDrop(), { resetPolicy: true, askPolicy: false, waitMillis: 250 })
    // a connection that delivered nothing counts against the policy
    assert.deepStrictEqual(log.afterDrop(), { resetPolicy: false, askPolicy: true, waitMillis: 250 })
    log.fresh([{ id: "", event: "message", data: "c" }], undefined)
    assert.strictEqual(log.headers(), undefined)
  })

  it("open/count/next: the first head sets the validator, a range answer is checked, the next request's headers", () => {
    const download = new Download()
    assert.strictEqual(download.open(false, 200, { etag: "\"v1\"" }), undefined)
    assert.strictEqual(download.count([new Uint8Array(3), new Uint8Array(4)]), 7)
    assert.strictEqual(download.next(false), "fail")
    assert.deepStrictEqual(download.next(true), { headers: { range: "bytes=7-", "if-range": "\"v1\"" } })
    assert.strictEqual(detail(download.open(true, 200, {})), "the server sent the whole body again (200)")
    assert.strictEqual(download.open(true, 206, { "content-range": "bytes 7-9/10", etag: "\"v1\"" }), undefined)
    const fresh = new Download()
    fresh.open(false, 200, {})
    assert.deepStrictEqual(fresh.next(false), { headers: undefined })
    fresh.count([new Uint8Array(1)])
    assert.strictEqual(detail(fresh.next(true)), "the response has neither a strong ETag nor Last-Modified")
  })
})
