/**
 * Instructions per request, counted by valgrind (`--tool=callgrind`): the same count whatever else the machine is
 * doing, so small differences between calls show where timings on a shared machine drown them. Each variant runs
 * `small` and `large` requests in its own process; per request = (count(large) − count(small)) ÷ (large − small),
 * which removes start-up and compilation. Two processes at a time. The code runs as `tsc` emits it (compiled first
 * into bench/.tmp/instructions): under `tsx`, esbuild wraps every closure the client creates per request in a
 * `__name` call, which would be counted too.
 *
 *   npx tsx bench/instructions.ts            # about ten minutes; writes bench/INSTRUCTIONS.md
 *
 * Needs valgrind (`apt-get install -y valgrind`) and the benchmark's nginx (see bench/README.md).
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import { reference, variants } from "./instructions-worker.js"
import * as Server from "./server.js"

const small = 2_000
const large = 14_000
const compiled = "bench/.tmp/instructions"

const count = (origin: string, variant: string, n: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn("valgrind", [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      `${compiled}/bench/instructions-worker.js`,
      origin,
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

/** Runs `tasks` two at a time. */
const pairwise = async <A>(tasks: ReadonlyArray<() => Promise<A>>): Promise<Array<A>> => {
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

const main = async () => {
  if (spawnSync("valgrind", ["--version"]).error) {
    console.error("instructions: valgrind is not installed. Install it with: apt-get install -y valgrind")
    process.exit(1)
  }
  const problem = Server.missing()
  if (problem !== undefined) {
    console.error(`instructions: ${problem}`)
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
    console.error("instructions: tsc failed")
    process.exit(1)
  }
  const server = await Server.start()
  try {
    const names = [reference, ...Object.keys(variants)]
    const counts = await pairwise(
      names.flatMap((name) => [small, large].map((n) => () => count(server.origin, name, n)))
    )
    const perRequest = new Map<string, number>()
    names.forEach((name, i) => {
      perRequest.set(name, (counts[2 * i + 1] - counts[2 * i]) / (large - small))
    })
    const base = (name: string) =>
      name.startsWith("floor")
        ? perRequest.get("floor")!
        : name === reference
        ? perRequest.get(name)!
        : perRequest.get("get")!
    const lines = [
      "# Instructions per request",
      "",
      `Counted by \`npx tsx bench/instructions.ts\` on ${new Date().toISOString()} in ${
        Math.round((Date.now() - started) / 1000)
      } s: valgrind callgrind, 64 fibers against nginx on loopback, per request = (instructions for ${large} ` +
      `requests − for ${small}) ÷ ${large - small}. Node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"}.`,
      "Start-up and compilation cancel out; what is left still varies by up to about 10 k instructions per request between runs (background compilation and garbage collection threads are counted too).",
      "",
      "| call | instructions per request | × its base (the floor, or a plain `get`) | × raw undici |",
      "| --- | ---: | ---: | ---: |",
      ...names.map((name) =>
        `| ${name.replace(/\|/g, "\\|")} | ${(perRequest.get(name)! / 1000).toFixed(1)} k | ${
          (perRequest.get(name)! / base(name)).toFixed(2)
        } | ${(perRequest.get(name)! / perRequest.get(reference)!).toFixed(2)} |`
      ),
      ""
    ]
    fs.writeFileSync("bench/INSTRUCTIONS.md", lines.join("\n"))
    console.log(lines.join("\n"))
  } finally {
    server.stop()
  }
}

main()
