// The Effect v4 edition (v4/) from the root: its own dependencies (effect 4, vitest 5, @effect/vitest 4) live in
// v4/node_modules, which the root's `npm ci` does not install; this installs them from v4/package-lock.json when
// they are missing, then runs what was asked:
//   node scripts/v4.mjs build       compile v4/src (and the shared src/core) into dist/v4
//   node scripts/v4.mjs typecheck   type-check v4/src and v4/test against effect 4
//   node scripts/v4.mjs test        run v4/test with vitest 5 (a JSON report in .vitest-results-v4.json under CI)
import { spawnSync } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const v4 = join(root, "v4")

const run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: process.env })
  if (result.error) throw result.error
  return result.status ?? 1
}

if (!existsSync(join(v4, "node_modules", "effect", "package.json"))) {
  const status = run("npm", ["ci", "--no-audit", "--no-fund"], v4)
  if (status !== 0) process.exit(status)
}

const bin = (name) => join(v4, "node_modules", ".bin", name)
const task = process.argv[2]
switch (task) {
  case "build":
    rmSync(join(root, "dist", "v4"), { recursive: true, force: true })
    process.exit(run(bin("tsc"), ["-p", "tsconfig.build.json"], v4))
  case "typecheck":
    process.exit(run(bin("tsc"), ["-p", "tsconfig.json", "--noEmit"], v4))
  case "test":
    process.exit(run(bin("vitest"), ["run", ...process.argv.slice(3)], v4))
  default:
    console.error(`scripts/v4.mjs: unknown task ${JSON.stringify(task)} (build, typecheck, test)`)
    process.exit(2)
}
