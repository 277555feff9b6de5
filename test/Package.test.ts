/**
 * The package as a user gets it: `npm pack`, installed into a fresh project, type-checked and run.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const run = (cmd: string, args: ReadonlyArray<string>, cwd: string) => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`)
  }
}

describe("the published package", () => {
  it("installs into a fresh project, type-checks, runs, and hides its internals", () => {
    const work = mkdtempSync(join(tmpdir(), "ehr-pack-"))
    try {
      run("npm", ["run", "build"], root)
      const packed = run("npm", ["pack", "--pack-destination", work, "--silent"], root).trim().split("\n").pop()!
      const tarball = join(work, packed)
      const app = join(work, "app")
      run("mkdir", ["-p", app], work)
      writeFileSync(
        join(app, "package.json"),
        JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }, null, 2)
      )
      run("npm", [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        tarball,
        "typescript@5.9",
        "@types/node@20"
      ], app)
      writeFileSync(
        join(app, "main.ts"),
        `import { Effect } from "effect"
import * as http from "node:http"
import { HttpResilient, ResilientClient } from "effect-http-resilient"
import * as Direct from "effect-http-resilient/HttpResilient"

const server = http.createServer((_req, res) => res.end(JSON.stringify({ hello: "world" })))
await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()))
const port = (server.address() as { port: number }).port
const program = HttpResilient.get(\`http://127.0.0.1:\${port}/\`).pipe(
  Effect.flatMap((response) => response.json),
  Effect.provide(ResilientClient.layer({ timeout: "2 seconds" }))
)
const body: unknown = await Effect.runPromise(program)
console.log(JSON.stringify(body), typeof Direct.get)
server.close()
`
      )
      writeFileSync(
        join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ["node"]
          },
          include: ["main.ts"]
        })
      )
      run(join(app, "node_modules/.bin/tsc"), ["-p", "."], app)
      // run it as plain JavaScript (types stripped by tsc's output)
      run(join(app, "node_modules/.bin/tsc"), ["-p", ".", "--noEmit", "false", "--outDir", "out"], app)
      const out = run("node", [join(app, "out/main.js")], app)
      assert.strictEqual(out.trim(), `{"hello":"world"} function`)
      // internals are not importable
      writeFileSync(
        join(app, "internal.mjs"),
        `import("effect-http-resilient/internal/client").then(() => console.log("visible"), (e) => console.log(e.code))`
      )
      assert.strictEqual(run("node", ["internal.mjs"], app).trim(), "ERR_PACKAGE_PATH_NOT_EXPORTED")
      // no test or dev-only files shipped
      const files = readdirSync(join(app, "node_modules/effect-http-resilient"))
      assert.includeMembers(files, ["dist", "README.md", "LICENSE", "package.json"])
      assert.notInclude(files, "test")
      assert.notInclude(files, "node_modules")
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }, 300_000)
})
