import { assert, describe, it } from "@effect/vitest"
import { RollingCounters } from "../../src/core/rollingWindow.js"

describe("core/rollingWindow", () => {
  it("sums both counters over the window; a count is kept at least the window's length", () => {
    const window = new RollingCounters(1000) // 10 slices of 100 ms, 11 slots
    window.addFirst(0)
    window.addFirst(50)
    window.addSecond(150)
    assert.deepStrictEqual([window.firstSum, window.secondSum], [2, 1])
    window.advance(999)
    assert.deepStrictEqual([window.firstSum, window.secondSum], [2, 1])
    window.advance(1099) // slice 10: slice 0 still inside (current + 10 full slices before it)
    assert.deepStrictEqual([window.firstSum, window.secondSum], [2, 1])
    window.advance(1100) // slice 11: slice 0 drops out
    assert.deepStrictEqual([window.firstSum, window.secondSum], [0, 1])
    window.advance(1200)
    assert.deepStrictEqual([window.firstSum, window.secondSum], [0, 0])
  })

  it("a jump past the whole window forgets everything; time going back changes nothing", () => {
    const window = new RollingCounters(1000)
    for (let t = 0; t < 1000; t += 10) window.addFirst(t)
    assert.strictEqual(window.firstSum, 100)
    window.advance(500) // earlier than the current slice
    assert.strictEqual(window.firstSum, 100)
    window.addSecond(60_000)
    assert.deepStrictEqual([window.firstSum, window.secondSum], [0, 1])
  })

  it("clear forgets the counts", () => {
    const window = new RollingCounters(1000)
    window.addFirst(0)
    window.addSecond(0)
    window.clear()
    assert.deepStrictEqual([window.firstSum, window.secondSum], [0, 0])
  })

  it("toJSON / restore carry the counts and the current slice; a snapshot of another shape starts empty", () => {
    const window = new RollingCounters(1000)
    window.addFirst(100)
    window.addFirst(420)
    window.addSecond(420)
    const snapshot = JSON.parse(JSON.stringify(window))
    const restored = new RollingCounters(1000)
    restored.restore(snapshot)
    assert.deepStrictEqual([restored.firstSum, restored.secondSum], [2, 1])
    restored.advance(1200) // slice 12: slice 1 (t = 100) drops out, slice 4 stays
    assert.deepStrictEqual([restored.firstSum, restored.secondSum], [1, 1])
    assert.deepStrictEqual(new RollingCounters(1000).toJSON().slice, null)
    const other = new RollingCounters(1000, 5)
    other.restore(snapshot)
    assert.deepStrictEqual([other.firstSum, other.secondSum], [0, 0])
  })
})
