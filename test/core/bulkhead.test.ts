import { assert, describe, it } from "@effect/vitest"
import { BulkheadSlots } from "../../src/core/bulkhead.js"

describe("core/bulkhead", () => {
  it("counts slots up to maxConcurrent; a release with nobody waiting frees one", () => {
    const slots = new BulkheadSlots<string>({ maxConcurrent: 2, maxQueue: 0 })
    assert.isTrue(slots.tryAcquire())
    assert.isTrue(slots.tryAcquire())
    assert.isFalse(slots.tryAcquire())
    assert.isFalse(slots.canQueue())
    assert.strictEqual(slots.handOver(), undefined)
    assert.strictEqual(slots.active, 1)
    assert.isTrue(slots.tryAcquire())
  })

  it("a released slot goes to the oldest waiter (FIFO) and the count of running attempts stays", () => {
    const slots = new BulkheadSlots<string>({ maxConcurrent: 1, maxQueue: 2 })
    assert.isTrue(slots.tryAcquire())
    assert.isTrue(slots.canQueue())
    slots.enqueue("a")
    slots.enqueue("b")
    assert.isFalse(slots.canQueue())
    assert.strictEqual(slots.queued, 2)
    assert.strictEqual(slots.handOver(), "a")
    assert.deepStrictEqual([slots.active, slots.queued], [1, 1])
    assert.strictEqual(slots.handOver(), "b")
    assert.strictEqual(slots.handOver(), undefined)
    assert.deepStrictEqual([slots.active, slots.queued], [0, 0])
  })

  it("a waiter that gives up leaves the queue; removing one not there changes nothing", () => {
    const slots = new BulkheadSlots<string>({ maxConcurrent: 1, maxQueue: 3 })
    slots.tryAcquire()
    slots.enqueue("a")
    slots.enqueue("b")
    slots.remove("a")
    slots.remove("z")
    assert.strictEqual(slots.queued, 1)
    assert.strictEqual(slots.handOver(), "b")
  })
})
