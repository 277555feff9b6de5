/**
 * Assertions the shared bodies use (node:assert only, so both runners share them).
 */
import * as assert from "node:assert/strict"
import type { Failure, Outcome, Success } from "./driver.js"

/** The call succeeded; its success. */
export const ok = (outcome: Outcome): Success => {
  if (!outcome.ok) assert.fail(`expected a success, got ${outcome.tag}: ${outcome.message}`)
  return outcome
}

/** The call failed with `tag`; its failure. */
export const failed = (outcome: Outcome, tag: string): Failure => {
  if (outcome.ok) assert.fail(`expected ${tag}, got a success (${outcome.status})`)
  assert.equal(outcome.tag, tag, `expected ${tag}, got ${outcome.tag}: ${outcome.message}`)
  return outcome
}

/** `value` lies in [low, high] (real-time bounds: keep them generous). */
export const between = (value: number, low: number, high: number, what: string): void =>
  assert.ok(value >= low && value <= high, `${what}: ${value} not in [${low}, ${high}]`)

/** None of `texts` contains any of `secrets`. */
export const noSecret = (texts: ReadonlyArray<string>, secrets: ReadonlyArray<string>): void => {
  for (const text of texts) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `"${secret}" leaked in: ${text.slice(0, 2000)}`)
  }
}

/** Milliseconds `body` took, with its result. */
export const timed = async <A>(body: () => Promise<A>): Promise<[A, number]> => {
  const start = performance.now()
  const result = await body()
  return [result, performance.now() - start]
}

/** Polls `probe` every 20 ms (real time) until it answers true, or fails after `timeoutMs`. */
export const eventually = async (probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
  const start = performance.now()
  while (!(await probe())) {
    if (performance.now() - start > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A retry spec with a small constant backoff, for bodies that count attempts. */
export const fast = (retries: number) => ({ retries, backoff: { kind: "constant", delayMs: 10 } }) as const
