/**
 * Instructions per call over an in-memory transport, counted by valgrind (`--tool=callgrind`) with V8 on one thread
 * (`--single-threaded`: no background compilation or garbage collection threads counted). Calls run one after
 * another, so nothing depends on timing (though two builds of nearly the same code have differed by up to 25 %:
 * compare a change with its base in the same run, repeated). Per call = (count(large) − count(small)) ÷
 * (large − small), with small large enough that the optimising compiler is done before it (at 2,000 calls it is not,
 * and what it compiles later is counted as per-call cost). The socket-based counts are in bench/instructions.ts.
 *
 *   npx tsx bench/instructions-in-memory.ts      # a few minutes; writes bench/INSTRUCTIONS-IN-MEMORY.md
 *
 * Needs valgrind (`apt-get install -y valgrind`); no server.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import { variants } from "./instructions-in-memory-worker.js"

const small = 10_000
const large = 40_000
const compiled = "bench/.tmp/instructions"

const count = (variant: string, n: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn("valgrind", [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      "--single-threaded",
      `${compiled}/bench/instructions-in-memory-worker.js`,
      variant,
      String(n)
    ], { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => {
      const match = /Collected\s*:\s*(\d+)/.exec(stderr)
      if (code !== 0 || match === null) reject(new Error(`${variant} × ${n}: exit ${code}\n${stderr.slice(-2000)}`))
      else resolve(Number(match[1]))
    })
  })

const main = async () => {
  if (spawnSync("valgrind", ["--version"]).error) {
    console.error("instructions-in-memory: valgrind is not installed. Install it with: apt-get install -y valgrind")
    process.exit(1)
  }
  const started = Date.now()
  fs.rmSync(compiled, { recursive: true, force: true })
  const tsc = spawnSync(process.execPath, [
    "node_modules/typescript/bin/tsc",
    "-p",
    "tsconfig.json",
    "--noEmit",
    "false",
    "--declaration",
    "false",
    "--sourceMap",
    "false",
    "--outDir",
    compiled
  ], { stdio: "inherit" })
  if (tsc.status !== 0) {
    console.error("instructions-in-memory: tsc failed")
    process.exit(1)
  }
  const names = Object.keys(variants)
  const tasks = names.flatMap((name) => [small, large].map((n) => () => count(name, n)))
  const counts: Array<number> = new Array(tasks.length)
  let next = 0
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++
      counts[i] = await tasks[i]()
    }
  }
  await Promise.all([lane(), lane()])
  const perCall = (i: number) => (counts[2 * i + 1] - counts[2 * i]) / (large - small)
  const get = perCall(0)
  const lines = [
    "# Instructions per call, in memory",
    "",
    `Counted by \`npx tsx bench/instructions-in-memory.ts\` on ${new Date().toISOString()} in ${
      Math.round((Date.now() - started) / 1000)
    } s: valgrind callgrind, node --single-threaded, calls one after another over a transport that answers at once, ` +
    `per call = (instructions for ${large} calls − for ${small}) ÷ ${large - small}. Node ${process.version}, ${
      os.cpus()[0]?.model ?? "cpu"
    }.`,
    "",
    "| call | instructions per call | × a plain `get` |",
    "| --- | ---: | ---: |",
    ...names.map((name, i) =>
      `| ${name.replace(/\|/g, "\\|")} | ${(perCall(i) / 1000).toFixed(1)} k | ${(perCall(i) / get).toFixed(2)} |`
    ),
    ""
  ]
  fs.writeFileSync("bench/INSTRUCTIONS-IN-MEMORY.md", lines.join("\n"))
  console.log(lines.join("\n"))
}

main()
