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
import * as fs from "node:fs"
import * as os from "node:os"
import { compile, compiled, count, pairwise, requireValgrind } from "./callgrind.js"
import { reference, variants } from "./instructions-worker.js"
import * as Server from "./server.js"

const small = 2_000
const large = 14_000

const countVariant = (origin: string, variant: string, n: number): Promise<number> =>
  count([`${compiled}/bench/instructions-worker.js`, origin, variant, String(n)], `${variant} × ${n}`)

const main = async () => {
  requireValgrind("instructions")
  const problem = Server.missing()
  if (problem !== undefined) {
    console.error(`instructions: ${problem}`)
    process.exit(1)
  }
  const started = Date.now()
  compile("instructions")
  const server = await Server.start()
  try {
    const names = [reference, ...Object.keys(variants)]
    const counts = await pairwise(
      names.flatMap((name) => [small, large].map((n) => () => countVariant(server.origin, name, n)))
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
