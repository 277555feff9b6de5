import { assert, describe, it } from "@effect/vitest"
import {
  Breaker,
  type BreakerConfig,
  BreakerRegistry,
  type CircuitState,
  REJECTED
} from "../../src/core/circuitBreaker.js"

type Transition = readonly [origin: string, from: CircuitState, to: CircuitState, now: number]

const consecutive = (threshold: number, more: Partial<BreakerConfig> = {}): BreakerConfig => ({
  strategy: { _tag: "Consecutive", threshold },
  breakMillis: 1000,
  backoffFactor: 1,
  maxBreakMillis: 60_000,
  probes: 1,
  ...more
})

const recording = () => {
  const transitions: Array<Transition> = []
  const onTransition = (origin: string, from: CircuitState, to: CircuitState, now: number) => {
    transitions.push([origin, from, to, now])
  }
  return { transitions, onTransition }
}

/** One attempt admitted at `now` that ends at `now` with `outcome`; the ticket, or REJECTED. */
const attempt = (breaker: Breaker, now: number, outcome: "success" | "failure" | "ignored") => {
  const ticket = breaker.admit(now, now + 100)
  if (ticket !== REJECTED) breaker.record(ticket, outcome, now, now + 100)
  return ticket
}

describe("core/circuitBreaker", () => {
  it("consecutive: opens at the threshold of failures in a row; a success resets the count", () => {
    const { onTransition, transitions } = recording()
    const breaker = new Breaker("http://a", consecutive(3), onTransition)
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "success")
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "ignored")
    assert.strictEqual(breaker.state, "closed")
    attempt(breaker, 5, "failure")
    assert.deepStrictEqual(transitions, [["http://a", "closed", "open", 5]])
    assert.strictEqual(breaker.openUntil, 1005)
    assert.strictEqual(breaker.admit(1004, 2000), REJECTED)
    assert.strictEqual(breaker.retryAt(10), 1005)
  })

  it("ratio: opens when failures reach the share of at least minThroughput outcomes in the window", () => {
    const { onTransition } = recording()
    const config: BreakerConfig = {
      ...consecutive(1),
      strategy: { _tag: "Ratio", threshold: 0.5, minThroughput: 4, windowMillis: 1000 }
    }
    const breaker = new Breaker("http://a", config, onTransition)
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "failure") // 3 of 3, below minThroughput
    assert.strictEqual(breaker.state, "closed")
    attempt(breaker, 5000, "success") // the failures left the window
    attempt(breaker, 5000, "success")
    attempt(breaker, 5000, "failure") // 1 of 3
    assert.strictEqual(breaker.state, "closed")
    attempt(breaker, 5000, "failure") // 2 of 4
    assert.strictEqual(breaker.state, "open")
  })

  it("half-open admits `probes` probes; a probe's success closes, its failure opens again", () => {
    const { onTransition, transitions } = recording()
    const breaker = new Breaker("http://a", consecutive(1, { probes: 2 }), onTransition)
    attempt(breaker, 0, "failure")
    assert.strictEqual(breaker.stateAt(999), "open")
    assert.strictEqual(breaker.stateAt(1000), "half-open")
    const first = breaker.admit(1000, 1500)
    const second = breaker.admit(1000, 1200)
    assert.isTrue(first !== REJECTED && second !== REJECTED)
    assert.strictEqual(breaker.probesInFlight, 2)
    assert.strictEqual(breaker.admit(1001, 9999), REJECTED)
    assert.strictEqual(breaker.retryAt(1001), 1200) // the first probe due to end
    breaker.record(second, "ignored", 1100, 1200) // frees its slot, decides nothing
    assert.deepStrictEqual([breaker.state, breaker.probesInFlight, breaker.retryAt(1101)], ["half-open", 1, 1500])
    breaker.record(first, "success", 1300, 1500)
    assert.strictEqual(breaker.state, "closed")
    attempt(breaker, 2000, "failure")
    const probe = breaker.admit(3000, 3100)
    breaker.record(probe, "failure", 3050, 3100)
    assert.deepStrictEqual(transitions.map(([, from, to, now]) => `${from}→${to}@${now}`), [
      "closed→open@0",
      "open→half-open@1000",
      "half-open→closed@1300",
      "closed→open@2000",
      "open→half-open@3000",
      "half-open→open@3050"
    ])
  })

  it("break durations grow by backoffFactor up to maxBreakMillis, and start over once closed", () => {
    const { onTransition } = recording()
    const breaker = new Breaker("http://a", consecutive(1, { backoffFactor: 2, maxBreakMillis: 5000 }), onTransition)
    const breaks: Array<number> = []
    let now = 0
    attempt(breaker, now, "failure")
    for (let i = 0; i < 4; i++) {
      breaks.push(breaker.openUntil - now)
      now = breaker.openUntil
      attempt(breaker, now, "failure") // the probe fails
    }
    assert.deepStrictEqual(breaks, [1000, 2000, 4000, 5000])
    now = breaker.openUntil
    attempt(breaker, now, "success")
    attempt(breaker, now, "failure")
    assert.strictEqual(breaker.openUntil - now, 1000)
  })

  it("an outcome of an attempt admitted before a state change is ignored", () => {
    const { onTransition } = recording()
    const breaker = new Breaker("http://a", consecutive(1), onTransition)
    const stale = breaker.admit(0, 100)
    attempt(breaker, 0, "failure") // opens
    breaker.record(stale, "success", 50, 100) // admitted while closed: says nothing now
    assert.strictEqual(breaker.state, "open")
  })

  it("toJSON / restore: the state, the break and the strategy's counts, without a transition", () => {
    const { onTransition, transitions } = recording()
    const breaker = new Breaker("http://a", consecutive(3, { backoffFactor: 2 }), onTransition)
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "failure")
    attempt(breaker, 0, "failure")
    attempt(breaker, 1000, "failure") // the probe fails: 2 s break
    const snapshot = JSON.parse(JSON.stringify(breaker))
    assert.deepStrictEqual(snapshot, {
      state: "open",
      openUntil: 3000,
      opens: 2,
      strategy: { _tag: "Consecutive", failures: 3 }
    })
    const restored = recording()
    const copy = new Breaker("http://a", consecutive(3, { backoffFactor: 2 }), restored.onTransition)
    copy.restore(snapshot)
    assert.deepStrictEqual(restored.transitions, [])
    assert.strictEqual(copy.admit(2999, 4000), REJECTED)
    attempt(copy, 3000, "failure") // the next break is 4 s
    assert.strictEqual(copy.openUntil, 7000)
    assert.strictEqual(transitions.length, 3) // closed → open → half-open → open, none by the copy

    const counting = new Breaker("http://a", consecutive(3), onTransition)
    attempt(counting, 0, "failure")
    attempt(counting, 0, "failure")
    const closed = new Breaker("http://a", consecutive(3), onTransition)
    closed.restore(counting.toJSON())
    attempt(closed, 0, "failure") // the third in a row
    assert.strictEqual(closed.state, "open")
  })

  it("toJSON / restore of a ratio breaker carries its window", () => {
    const config: BreakerConfig = {
      ...consecutive(1),
      strategy: { _tag: "Ratio", threshold: 0.5, minThroughput: 4, windowMillis: 1000 }
    }
    const breaker = new Breaker("http://a", config, () => {})
    attempt(breaker, 0, "success")
    attempt(breaker, 0, "success")
    attempt(breaker, 0, "failure")
    const copy = new Breaker("http://a", config, () => {})
    copy.restore(JSON.parse(JSON.stringify(breaker)))
    attempt(copy, 10, "failure") // 2 of 4
    assert.strictEqual(copy.state, "open")
  })

  it("inFlight counts attempts admitted and not yet recorded (a stale ticket too); lastFailureAt the last failure", () => {
    const breaker = new Breaker("http://a", consecutive(2), () => {})
    assert.strictEqual(breaker.lastFailureAt, undefined)
    const first = breaker.admit(0, 100)
    const second = breaker.admit(0, 100)
    assert.strictEqual(breaker.inFlight, 2)
    breaker.record(first, "failure", 7, 100)
    breaker.record(breaker.admit(8, 100), "failure", 9, 100) // opens: `second` is now stale
    assert.strictEqual(breaker.state, "open")
    assert.strictEqual(breaker.inFlight, 1)
    breaker.record(second, "ignored", 20, 100)
    assert.strictEqual(breaker.inFlight, 0)
    assert.strictEqual(breaker.lastFailureAt, 9)
    assert.strictEqual(breaker.admit(21, 100), REJECTED)
    assert.strictEqual(breaker.inFlight, 0)
  })

  describe("BreakerRegistry", () => {
    it("keys other than origins: the breaker keeps the origin of the request that made it; list() shows them", () => {
      const registry = new BreakerRegistry(consecutive(1), () => {}, 10)
      const a = registry.get("http://a routes[0]", "http://a")
      assert.strictEqual(a.origin, "http://a routes[0]")
      assert.strictEqual(a.requestOrigin, "http://a")
      assert.strictEqual(registry.get("http://b").requestOrigin, "http://b")
      assert.deepStrictEqual(registry.list().map((b) => b.origin), ["http://a routes[0]", "http://b"])
    })

    it("one breaker per origin, made on first use; stateAt of an unknown origin is closed", () => {
      const registry = new BreakerRegistry(consecutive(1), () => {}, 10)
      const a = registry.get("http://a")
      assert.strictEqual(registry.get("http://a"), a)
      assert.notStrictEqual(registry.get("http://b"), a)
      assert.strictEqual(registry.get("http://a"), a)
      assert.strictEqual(registry.size, 2)
      assert.strictEqual(registry.stateAt("http://c", 0), "closed")
      attempt(a, 0, "failure")
      assert.strictEqual(registry.stateAt("http://a", 0), "open")
      registry.clear()
      assert.strictEqual(registry.size, 0)
      assert.strictEqual(registry.stateAt("http://a", 0), "closed")
    })

    it("past maxOrigins, the least recently used closed breaker is forgotten, never an open one", () => {
      const registry = new BreakerRegistry(consecutive(1), () => {}, 3)
      const a = registry.get("http://a")
      registry.get("http://b")
      registry.get("http://c")
      attempt(a, 0, "failure") // a is open
      const b = registry.get("http://b") // b used more recently than c
      const d = registry.get("http://d") // forgets c (a is open, b more recent)
      assert.strictEqual(registry.size, 3)
      assert.strictEqual(registry.get("http://a"), a)
      assert.strictEqual(registry.get("http://b"), b)
      assert.strictEqual(registry.get("http://d"), d)
      attempt(b, 0, "failure")
      attempt(d, 0, "failure")
      // every remembered breaker is open: a new origin gets a breaker that is not remembered
      const e = registry.get("http://e")
      assert.notStrictEqual(registry.get("http://e"), e)
      assert.strictEqual(registry.size, 3)
      assert.deepStrictEqual(
        ["http://a", "http://b", "http://d"].map((origin) => registry.stateAt(origin, 0)),
        ["open", "open", "open"]
      )
    })
  })
})
