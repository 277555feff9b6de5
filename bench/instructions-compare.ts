/**
 * Instructions per call of this tree against a base commit, counted in the same run: both trees are compiled as
 * `tsc` emits them, then each call of `bench/instructions-in-memory-worker.ts` is counted under callgrind for both,
 * interleaved and repeated, so that the two sides see the same machine. Per call = (count(40,000 calls) −
 * count(10,000)) ÷ 30,000, as in `bench/instructions-in-memory.ts`. Compare only the ratio of a pair: absolute figures
 * move between builds.
 *
 *   npx tsx bench/instructions-compare.ts <base-commit> [repeats=2] [calls]
 *
 * `calls`: a comma-separated list of words; only the calls whose name contains one of them are counted (default:
 * all three), e.g. `get,Effect.retry` leaves out `get { retry: … }`.
 *
 * Needs valgrind (`apt-get install -y valgrind`) and git; the base is checked out into bench/.tmp/base (a worktree,
 * removed at the end).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { compareSides, compile, count, requireValgrind, withBaseTree } from "./callgrind.js"

const [baseRef, repeatsArg, callsArg] = process.argv.slice(2)
if (baseRef === undefined) {
  console.error("usage: npx tsx bench/instructions-compare.ts <base-commit> [repeats]")
  process.exit(2)
}
const repeats = Number(repeatsArg ?? 2)
const names = ["get", "get { retry: RetryPolicy.default }", "get + Effect.retry(RetryPolicy.default)"].filter((name) =>
  callsArg === undefined || callsArg.split(",").some((word) => word === "get" ? name === "get" : name.includes(word))
)
const small = 10_000
const large = 40_000
const baseTree = "bench/.tmp/base"
const sides = { base: "bench/.tmp/compare-base", head: "bench/.tmp/compare-head" } as const

const main = async () => {
  requireValgrind("instructions-compare")
  await withBaseTree(baseTree, baseRef, async () => {
    fs.symlinkSync(path.resolve("node_modules"), `${baseTree}/node_modules`)
    compile("instructions-compare (base)", baseTree, sides.base)
    compile("instructions-compare (head)", ".", sides.head)
    await compareSides({
      names,
      repeats,
      small,
      large,
      heading: `base ${baseRef} against the work tree; per call, k instructions; ${repeats} rounds`,
      countOf: (side, name, n) =>
        count(
          ["--single-threaded", `${sides[side]}/bench/instructions-in-memory-worker.js`, name, String(n)],
          `${side} ${name} × ${n}`
        )
    })
  })
}

main()
