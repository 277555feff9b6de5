/**
 * The shared behavioural suite (test/shared/), run against the v3 entry: the same bodies the v4 edition runs.
 */
import { describe, it } from "vitest"
import { sharedSuite } from "./shared/index.js"
import { v3Driver } from "./support/v3Driver.js"

sharedSuite({ it, describe }, v3Driver)
