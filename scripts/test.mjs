// `npm test`: both editions, one after the other — the root (Effect v3) suite, then the Effect v4 edition's
// (scripts/v4.mjs installs v4/node_modules first when missing). Arguments go to the v3 run; fails if either failed.
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: "inherit", env: process.env }).status ?? 1

const v3 = run(join(root, "node_modules", ".bin", "vitest"), ["run", ...process.argv.slice(2)])
const v4 = run(process.execPath, [join(root, "scripts", "v4.mjs"), "test"])
process.exit(v3 !== 0 ? v3 : v4)
