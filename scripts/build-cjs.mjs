/**
 * The CommonJS build, for `require("effect-http-resilient")` on Node versions without require(esm) (Node 20 has it
 * only behind a flag): every module of src/ compiled on its own (not bundled, so the subpaths share one copy of each
 * internal module) to dist/cjs/, which a package.json marks as CommonJS, beside a copy of the declarations.
 *
 *   node scripts/build-cjs.mjs   (run by `npm run build`, after tsc has written dist/)
 */
import { build } from "esbuild"
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const src = join(root, "src")
const dist = join(root, "dist")
const out = join(dist, "cjs")

const files = (dir, suffix) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name))

rmSync(out, { recursive: true, force: true })
await build({
  entryPoints: files(src, ".ts").filter((file) => !file.endsWith(".test.ts")),
  outdir: out,
  outbase: src,
  format: "cjs",
  platform: "node",
  target: "node20",
  bundle: false,
  sourcemap: true,
  logLevel: "warning"
})
writeFileSync(join(out, "package.json"), JSON.stringify({ type: "commonjs" }, null, 2) + "\n")
// the same declarations: under dist/cjs they describe CommonJS modules, so `require` gets types that match
for (const file of files(dist, ".d.ts")) {
  if (file.startsWith(out)) continue
  const target = join(out, relative(dist, file))
  mkdirSync(dirname(target), { recursive: true })
  copyFileSync(file, target)
}
