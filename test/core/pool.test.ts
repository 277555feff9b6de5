import { assert, describe, it } from "@effect/vitest"
import type * as Undici from "undici"
import { closeGracefully } from "../../src/core/pool.js"

const fakeAgent = (sizes: Array<number>) => {
  const calls: Array<string> = []
  const agent = {
    stats: Object.fromEntries(sizes.map((size, i) => [`http://h${i}.test`, { size }])),
    close: async () => void calls.push("close"),
    destroy: async () => void calls.push("destroy")
  } as unknown as Undici.Agent
  return { agent, calls }
}

describe("core/pool", () => {
  it("an idle pool is closed", async () => {
    const { agent, calls } = fakeAgent([0, 0])
    await closeGracefully(agent, 1_000, { count: 0 })
    assert.deepStrictEqual(calls, ["close"])
  })

  it("requests undici still holds after ours ended are destroyed at once", async () => {
    const { agent, calls } = fakeAgent([0, 1])
    const started = performance.now()
    await closeGracefully(agent, 10_000, { count: 0 })
    assert.deepStrictEqual(calls, ["destroy"])
    assert.isBelow(performance.now() - started, 1_000)
  })

  it("waits for ours under way to end, up to the grace period, then destroys what is left", async () => {
    const inFlight = { count: 1 }
    const ending = fakeAgent([0])
    setTimeout(() => inFlight.count--, 20)
    await closeGracefully(ending.agent, 10_000, inFlight)
    assert.deepStrictEqual(ending.calls, ["close"])

    const stuck = fakeAgent([1])
    const started = performance.now()
    await closeGracefully(stuck.agent, 50, { count: 1 })
    assert.deepStrictEqual(stuck.calls, ["destroy"])
    assert.isAtLeast(performance.now() - started, 40)
  })
})
