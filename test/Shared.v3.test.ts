/**
 * The shared behavioural suite (test/shared/), run against the v3 entry: the same bodies the v4 edition runs.
 */
import { readdirSync, readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { sharedSuite } from "./shared/index.js"
import { v3Driver } from "./support/v3Driver.js"

sharedSuite({ it, describe }, v3Driver)

describe("the shared suite", () => {
  it("imports neither effect nor @effect/*, so both editions' runners can load it", () => {
    const dir = new URL("./shared/", import.meta.url)
    const files = readdirSync(dir).filter((name) => name.endsWith(".ts"))
    expect(files.length).toBeGreaterThan(0)
    for (const name of files) {
      const source = readFileSync(new URL(name, dir), "utf8")
      expect(source, name).not.toMatch(/from\s+["'](effect|@effect\/)/)
      expect(source, name).not.toMatch(/import\(\s*["'](effect|@effect\/)/)
    }
  })
})
