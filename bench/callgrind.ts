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
