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
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { compile, count, pairwise, requireValgrind } from "./callgrind.js"

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

const git = (...args: Array<string>) => {
  const run = spawnSync("git", args, { stdio: "inherit" })
  if (run.status !== 0) throw new Error(`git ${args.join(" ")} failed`)
}

const main = async () => {
  requireValgrind("instructions-compare")
  spawnSync("git", ["worktree", "remove", "--force", baseTree], { stdio: "ignore" })
  git("worktree", "add", "--detach", baseTree, baseRef)
  try {
    fs.symlinkSync(path.resolve("node_modules"), `${baseTree}/node_modules`)
    compile("instructions-compare (base)", baseTree, sides.base)
    compile("instructions-compare (head)", ".", sides.head)
    const tasks: Array<{ side: keyof typeof sides; name: string; n: number; round: number }> = []
    for (let round = 0; round < repeats; round++) {
      for (const name of names) {
        for (const side of ["base", "head"] as const) {
          for (const n of [small, large]) tasks.push({ side, name, n, round })
        }
      }
    }
    const counts = await pairwise(tasks.map((task) => () =>
      count(
        ["--single-threaded", `${sides[task.side]}/bench/instructions-in-memory-worker.js`, task.name, String(task.n)],
        `${task.side} ${task.name} × ${task.n}`
      )
    ))
    const perCall = (side: string, name: string, round: number) => {
      const at = (n: number) =>
        counts[tasks.findIndex((t) => t.side === side && t.name === name && t.round === round && t.n === n)]
      return (at(large) - at(small)) / (large - small)
    }
    console.log(`base ${baseRef} against the work tree; per call, k instructions; ${repeats} rounds`)
    console.log("| call | round | base | head | head ÷ base |")
    console.log("| --- | ---: | ---: | ---: | ---: |")
    for (const name of names) {
      for (let round = 0; round < repeats; round++) {
        const b = perCall("base", name, round)
        const h = perCall("head", name, round)
        console.log(
          `| ${name} | ${round + 1} | ${(b / 1000).toFixed(1)} | ${(h / 1000).toFixed(1)} | ${(h / b).toFixed(3)} |`
        )
      }
    }
  } finally {
    git("worktree", "remove", "--force", baseTree)
  }
}

main()
