// One copy of Effect v4 in the process: every `effect` / `effect/*` import (the harness's, @effect/platform-node's and
// the edition's in v4/src) resolves from v4/node_modules, the copy the edition is built and tested with. Without
// this, bench/v4/node_modules/effect and v4/node_modules/effect would load side by side as two runtimes.
// Loaded with `--import` after tsx (its hook then runs first and hands the rewritten request on to tsx's).
import { register } from "node:module"

register("./effect-alias-hooks.mjs", import.meta.url)
