/**
 * The shared behavioural suite (test/shared/ at the repository root), run against the v4 edition: the same bodies
 * the v3 entry runs (test/Shared.v3.test.ts).
 *
 * The promises below are ones the v4 edition does not keep yet (README, "Effect v4": not in the edition yet —
 * `Failed` for a call outside any retry). They are registered as
 * skipped, by their exact names, so the count shows them as skipped, never as passed; each one passes in v3.
 */
import { describe, it } from "vitest"
import { sharedSuite } from "../../test/shared/index.js"
import { v4Driver } from "./support/v4Driver.js"

const notYet: ReadonlySet<string> = new Set([
  "a call that fails outside any retry publishes AttemptFailed then Failed"
])

sharedSuite({
  describe,
  it: (name, fn) => notYet.has(name) ? it.skip(`${name} (not in the v4 edition yet)`, fn) : it(name, fn)
}, v4Driver)
