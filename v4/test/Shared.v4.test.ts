/**
 * The shared behavioural suite (test/shared/ at the repository root), run against the v4 edition: the same bodies
 * the v3 entry runs (test/Shared.v3.test.ts), through the edition's driver (support/v4Driver.ts).
 */
import { describe, it } from "vitest"
import { sharedSuite } from "../../test/shared/index.js"
import { v4Driver } from "./support/v4Driver.js"

sharedSuite({ it, describe }, v4Driver)
