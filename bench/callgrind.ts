/**
 * What the instruction counters share: compiling the project as `tsc` emits it (under `tsx`, esbuild wraps every
 * closure in a `__name` call, which would be counted too), counting one process's instructions with valgrind's
 * callgrind, and running the counts two at a time.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

/** Where the counters' workers are compiled to. */
export const compiled = "bench/.tmp/instructions"

/** Exits with a message naming the install command when valgrind is missing. */
export const requireValgrind = (tool: string): void => {
  if (spawnSync("valgrind", ["--version"]).error) {
    console.error(`${tool}: valgrind is not installed. Install it with: apt-get install -y valgrind`)
    process.exit(1)
  }
}

/** Compiles the project in `root` (default: here) into `outDir` (afresh); exits when tsc fails. */
export const compile = (tool: string, root = ".", outDir = compiled): void => {
  fs.rmSync(outDir, { recursive: true, force: true })
  const tsc = spawnSync(process.execPath, [
    "node_modules/typescript/bin/tsc",
    "-p",
    `${root}/tsconfig.json`,
    "--noEmit",
    "false",
    "--declaration",
    "false",
    "--sourceMap",
    "false",
    "--outDir",
    path.resolve(outDir)
  ], { stdio: "inherit" })
  if (tsc.status !== 0) {
    console.error(`${tool}: tsc failed`)
    process.exit(1)
  }
}

/**
 * The instructions `node <nodeArgs>` executes, counted by callgrind; `label` names it in an error; `node` is the
 * binary (default: this process's).
 */
export const count = (nodeArgs: ReadonlyArray<string>, label: string, node = process.execPath): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn("valgrind", [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      node,
      ...nodeArgs
    ], { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => {
      const match = /Collected\s*:\s*(\d+)/.exec(stderr)
      if (code !== 0 || match === null) reject(new Error(`${label}: exit ${code}\n${stderr.slice(-2000)}`))
      else resolve(Number(match[1]))
    })
  })

/** Runs `tasks` two at a time. */
export const pairwise = async <A>(tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
  const out: Array<A> = new Array(tasks.length)
  let next = 0
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++
      out[i] = await tasks[i]()
    }
  }
  await Promise.all([lane(), lane()])
  return out
}

/** Runs `command args`, its output inherited; throws when it fails. */
export const run = (command: string, args: ReadonlyArray<string>): void => {
  const result = spawnSync(command, args, { stdio: "inherit" })
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`)
}

/** Runs `f` with commit `baseRef` checked out into the git worktree `baseTree`, removed afterwards. */
export const withBaseTree = async (baseTree: string, baseRef: string, f: () => Promise<void>): Promise<void> => {
  spawnSync("git", ["worktree", "remove", "--force", baseTree], { stdio: "ignore" })
  run("git", ["worktree", "add", "--detach", baseTree, baseRef])
  try {
    await f()
  } finally {
    run("git", ["worktree", "remove", "--force", baseTree])
  }
}

/** A comparison of the base's and the head's instructions per call, as the instructions-compare tools run it. */
export interface Comparison {
  /** the calls, as the worker names them */
  readonly names: ReadonlyArray<string>
  readonly repeats: number
  readonly small: number
  readonly large: number
  /** the table's first line */
  readonly heading: string
  /** the instructions of `n` calls of `name` on one side */
  readonly countOf: (side: "base" | "head", name: string, n: number) => Promise<number>
}

/**
 * Counts every call of both sides for `small` and `large` calls, interleaved and two at a time (so both sides see the
 * same machine), and prints per round: per call = (count(large) − count(small)) ÷ (large − small), and head ÷ base.
 */
export const compareSides = async ({ countOf, heading, large, names, repeats, small }: Comparison): Promise<void> => {
  const tasks: Array<{ side: "base" | "head"; name: string; n: number; round: number }> = []
  for (let round = 0; round < repeats; round++) {
    for (const name of names) {
      for (const side of ["base", "head"] as const) {
        for (const n of [small, large]) tasks.push({ side, name, n, round })
      }
    }
  }
  const counts = await pairwise(tasks.map((task) => () => countOf(task.side, task.name, task.n)))
  const perCall = (side: string, name: string, round: number) => {
    const at = (n: number) =>
      counts[tasks.findIndex((t) => t.side === side && t.name === name && t.round === round && t.n === n)]
    return (at(large) - at(small)) / (large - small)
  }
  console.log(heading)
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
}
