/**
 * The library as the benchmark measures it. By default the JavaScript `tsc` makes of `src/` (what the package
 * ships), built into `bench/.tmp/build` (git-ignored, inside the work tree so `node_modules` and the package's
 * `"type": "module"` apply) when that build is missing or older than the source; `--source` on the command line (or
 * `BENCH_SOURCE=1`) loads the TypeScript source through tsx instead. Every client process of a run loads the same
 * one: the flag is handed to them in the environment, and the build is made by the first process that loads this
 * module (the harness, before it starts any client); the client processes load that build without checking it again.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import type * as Source from "../src/index.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")

/** Where the build goes. */
export const buildDir = path.join(here, ".tmp", "build")
const stampFile = path.join(buildDir, ".source-hash")

if (process.argv.includes("--source")) process.env.BENCH_SOURCE = "1"

/** Whether this run measures the TypeScript source through tsx (`--source`) rather than the tsc build. */
export const fromSource = process.env.BENCH_SOURCE === "1"

const filesUnder = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(full) : [full]
  })

/** A hash of everything the build depends on: `src/` and the two tsconfig files. */
const sourceHash = (): string => {
  const hash = createHash("sha256")
  const inputs = [
    ...filesUnder(path.join(root, "src")),
    path.join(root, "tsconfig.json"),
    path.join(root, "tsconfig.build.json")
  ]
  for (const file of inputs.sort()) {
    hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0")
  }
  return hash.digest("hex")
}

/**
 * Builds `src/` into {@link buildDir} unless the build there was made from the same source. The build is written to
 * a directory of its own first and then moved into place, so a process never loads a half-written build.
 */
export const ensureBuilt = (): void => {
  const hash = sourceHash()
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === hash) return
  const staging = `${buildDir}.${process.pid}`
  fs.rmSync(staging, { recursive: true, force: true })
  const started = performance.now()
  console.log(
    `bench: building src/ with tsc into ${path.relative(root, buildDir)} (none yet, or made from other source)`
  )
  try {
    execFileSync(process.execPath, [
      path.join(root, "node_modules", "typescript", "bin", "tsc"),
      ...["-p", "tsconfig.build.json", "--outDir", staging],
      ...["--declaration", "false", "--declarationMap", "false", "--sourceMap", "false"]
    ], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  } catch (error: any) {
    fs.rmSync(staging, { recursive: true, force: true })
    throw new Error(
      `bench: tsc could not build src/ (run with --source to measure the source through tsx):\n${
        String(error?.stdout ?? "")
      }${String(error?.stderr ?? "")}`
    )
  }
  fs.writeFileSync(path.join(staging, ".source-hash"), hash)
  fs.rmSync(buildDir, { recursive: true, force: true })
  fs.renameSync(staging, buildDir)
  console.log(`bench: built in ${((performance.now() - started) / 1000).toFixed(0)} s`)
}

// the first process of a run builds (or finds the build fresh); the client processes it starts inherit
// `BENCH_BUILT` and load that build as it is, even if the source changes during the run
if (!fromSource && process.env.BENCH_BUILT !== "1") {
  ensureBuilt()
  process.env.BENCH_BUILT = "1"
}

/** The library's module: the tsc build, or the source with `--source`. */
export const Lib: typeof Source = fromSource
  ? await import("../src/index.js")
  : await import(pathToFileURL(path.join(buildDir, "index.js")).href)

/** What the report says of how ours ran. */
export const libDescription = fromSource
  ? "ours from its TypeScript source through tsx (`--source`)"
  : "ours as `tsc` builds it (the JavaScript the package ships), built from `src/` into `bench/.tmp/build`"
