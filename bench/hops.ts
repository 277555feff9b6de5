/**
 * The hops one call makes through the project: every function of `src/` that runs for one call (after warm-up calls),
 * counted by V8's precise coverage, and the files they are in. Over a transport that answers at once (`memory`: the
 * client alone) and over the default undici transport against a loopback server (`undici`).
 *
 *   npx tsx bench/hops.ts            # prints a table per call; --list prints every function
 */
import { spawnSync } from "node:child_process"
import { compile, compiled } from "./callgrind.js"
import { calls, type Hop } from "./hops-worker.js"

const list = process.argv.includes("--list")

const hopsOf = (transport: string, call: string): Array<Hop> => {
  const run = spawnSync(process.execPath, [`${compiled}/bench/hops-worker.js`, transport, call], { encoding: "utf8" })
  if (run.status !== 0) throw new Error(`${transport} ${call}: exit ${run.status}\n${run.stderr}`)
  return JSON.parse(run.stdout) as Array<Hop>
}

compile("hops")
console.log("| call | transport | functions entered | calls into them | files |")
console.log("| --- | --- | ---: | ---: | ---: |")
const details: Array<string> = []
for (const call of Object.keys(calls)) {
  for (const transport of ["memory", "undici"]) {
    const hops = hopsOf(transport, call)
    const files = new Set(hops.map((hop) => hop.file))
    const total = hops.reduce((sum, hop) => sum + hop.count, 0)
    console.log(`| ${call.replace(/\|/g, "\\|")} | ${transport} | ${hops.length} | ${total} | ${files.size} |`)
    if (list) {
      details.push(`\n${call} over ${transport}:`)
      for (const hop of hops) details.push(`  ${hop.file}:${hop.line} ${hop.name} ×${hop.count}`)
    }
  }
}
if (list) console.log(details.join("\n"))
