import { assert, describe, it } from "@effect/vitest"
import { EventEmitter } from "node:events"
import type * as Undici from "undici"
import { connectedSince, connectSeq, loggedOrigins } from "../../src/core/connectLog.js"

const fake = () => new EventEmitter() as unknown as Undici.Dispatcher
const connect = (dispatcher: Undici.Dispatcher, origin: URL | string) =>
  (dispatcher as unknown as EventEmitter).emit("connect", origin)

describe("core/connectLog", () => {
  it("counts connections from the first look on; connectedSince is per origin", () => {
    const dispatcher = fake()
    connect(dispatcher, new URL("http://a.test/"))
    assert.strictEqual(connectSeq(dispatcher), 0)
    connect(dispatcher, new URL("http://a.test/x"))
    connect(dispatcher, "http://b.test:81/path")
    assert.strictEqual(connectSeq(dispatcher), 2)
    assert.isTrue(connectedSince(dispatcher, "http://a.test", 0))
    assert.isFalse(connectedSince(dispatcher, "http://a.test", 1))
    assert.isTrue(connectedSince(dispatcher, "http://b.test:81", 1))
    assert.isFalse(connectedSince(dispatcher, "http://c.test", 0))
    assert.strictEqual(loggedOrigins(dispatcher), 2)
  })

  it("keeps 1,024 origins; a forgotten origin answers yes when any forgotten one connected since", () => {
    const dispatcher = fake()
    connectSeq(dispatcher)
    for (let i = 0; i < 1025; i++) connect(dispatcher, new URL(`http://h${i}.test/`))
    assert.strictEqual(loggedOrigins(dispatcher), 1024)
    // h0 (seq 1) was the least recent: forgotten, so the floor is 1
    assert.isTrue(connectedSince(dispatcher, "http://h0.test", 0))
    assert.isFalse(connectedSince(dispatcher, "http://h0.test", 1))
    assert.isTrue(connectedSince(dispatcher, "http://h1.test", 1))
    // a reconnect makes an origin the most recent one again
    connect(dispatcher, new URL("http://h1.test/"))
    connect(dispatcher, new URL("http://new.test/"))
    assert.isTrue(connectedSince(dispatcher, "http://h1.test", 1025))
    assert.isTrue(connectedSince(dispatcher, "http://h2.test", 2))
    // h2 (seq 3) went, not h1: the floor is 3
    assert.isFalse(connectedSince(dispatcher, "http://h0.test", 100))
  })
})
