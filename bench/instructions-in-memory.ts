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
import * as fs from "node:fs"
import * as os from "node:os"
import { compile, compiled, count, pairwise, requireValgrind } from "./callgrind.js"
import { variants } from "./instructions-in-memory-worker.js"

const small = 10_000
const large = 40_000

const countVariant = (variant: string, n: number): Promise<number> =>
  count(
    ["--single-threaded", `${compiled}/bench/instructions-in-memory-worker.js`, variant, String(n)],
    `${variant} × ${n}`
  )

const main = async () => {
  requireValgrind("instructions-in-memory")
  const started = Date.now()
  compile("instructions-in-memory")
  const names = Object.keys(variants)
  const counts = await pairwise(names.flatMap((name) => [small, large].map((n) => () => countVariant(name, n))))
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
