/**
 * The package as a newcomer gets it: `npm pack`, installed into an empty folder with the README's own install lines
 * (npm's resolution, from the local cache when it can), then the README's Quick start run, a TypeScript app
 * type-checked and run, an app bundled with esbuild and run without node_modules, and a CommonJS app run.
 *
 * Every command runs asynchronously (a blocking child process would stall the worker, whose RPC then times out).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const readme = readFileSync(join(root, "README.md"), "utf8")

const run = (cmd: string, args: ReadonlyArray<string>, cwd: string, env?: NodeJS.ProcessEnv): Promise<string> =>
  new Promise((resolvePromise, reject) => {
    execFile(
      cmd,
      args,
      { cwd, env, encoding: "utf8", timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}): ${error.message}\n${stdout}\n${stderr}`))
        else resolvePromise(stdout)
      }
    )
  })

/** The README's `npm install` lines that start with `prefix`: each must be the same line. */
const installLine = (prefix: string): ReadonlyArray<string> => {
  const lines = [...new Set(readme.split("\n").filter((line) => line.startsWith(prefix)))]
  assert.strictEqual(lines.length, 1, `README: one install line starting with "${prefix}", got ${lines.join(" | ")}`)
  const words = lines[0].trim().split(/\s+/)
  assert.deepStrictEqual(words.slice(0, 2), ["npm", "install"])
  return words.slice(2)
}

/** The body of the first fenced block of `lang` after `heading`. */
const block = (heading: string, lang: string): string => {
  const section = readme.slice(readme.indexOf(`\n${heading}\n`))
  const match = section.match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"))
  assert.isNotNull(match, `README: a ${lang} block under ${heading}`)
  return match![1]
}

const local = (path: string) => join(root, "node_modules/.bin", path)

let work: string
let app: string
let tarball: string
const flags = ["--no-audit", "--no-fund", "--prefer-offline"]

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ehr-pack-"))
  await run("npm", ["run", "build"], root)
  const packed = (await run("npm", ["pack", "--pack-destination", work, "--silent"], root)).trim().split("\n").pop()!
  tarball = join(work, packed)
  // an empty folder, as in the Quick start: npm creates its package.json
  app = join(work, "app")
  mkdirSync(app)
  const appLine = installLine("npm install effect-http-resilient ")
  // the package is not on the registry here: its tarball stands in for its name, the rest of the line is verbatim
  await run("npm", ["install", ...flags, ...appLine.map((w) => w === "effect-http-resilient" ? tarball : w)], app)
  await run("npm", ["install", ...flags, ...installLine("npm install -D @effect/vitest")], app)
  await run("npm", ["install", ...flags, "-D", "typescript@5.9", "@types/node@20"], app)
}, 600_000)

// removing three installed apps takes a while on a loaded machine
afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
}, 120_000)

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

describe("the published package, installed the README's way", () => {
  it.live(
    "Effect v4: the README's v4 line in an empty folder, then its v4 Quick start prints what the README says",
    () =>
      promise(async () => {
        const v4app = join(work, "v4app")
        mkdirSync(v4app)
        const line = installLine("npm install effect ")
        await run("npm", ["install", ...flags, ...line.map((w) => w === "effect-http-resilient" ? tarball : w)], v4app)
        writeFileSync(join(v4app, "quickstart.mjs"), block("## Effect v4", "js"))
        const out = await run("node", ["quickstart.mjs"], v4app)
        assert.strictEqual(out, block("## Effect v4", "text"))
        // installing for v4 pulls none of the v3-only peers
        for (const peer of ["@effect/platform", "@effect/platform-node", "@effect/experimental"]) {
          assert.isFalse(existsSync(join(v4app, "node_modules", peer)), peer)
        }
      }),
    300_000
  )

  it.live("the README's Quick start runs and prints what the README says", () =>
    promise(async () => {
      writeFileSync(join(app, "quickstart.mjs"), block("## Quick start", "js"))
      const out = await run("node", ["quickstart.mjs"], app)
      assert.strictEqual(out, block("## Quick start", "text"))
    }), 300_000)

  it.live(
    "a TypeScript app type-checks against the declarations and runs; internals are hidden",
    () =>
      promise(async () => {
        // an ES module (.mts: the folder's package.json is npm's, without "type")
        writeFileSync(
          join(app, "main.mts"),
          `import { Effect } from "effect"
import * as http from "node:http"
import { HttpResilient, ResilientClient } from "effect-http-resilient"
import * as Direct from "effect-http-resilient/HttpResilient"
// its declarations need no ioredis; running it does
import type * as RateLimiterRedis from "effect-http-resilient/RateLimiterRedis"

export type RedisStore = ReturnType<typeof RateLimiterRedis.layer>

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
            files: ["main.mts"]
          })
        )
        await run(join(app, "node_modules/.bin/tsc"), ["-p", "."], app)
        await run(join(app, "node_modules/.bin/tsc"), ["-p", ".", "--noEmit", "false", "--outDir", "out"], app)
        assert.strictEqual((await run("node", ["out/main.mjs"], app)).trim(), `{"hello":"world"} function`)
        writeFileSync(
          join(app, "internal.mjs"),
          `import("effect-http-resilient/internal/client").then(() => console.log("visible"), (e) => console.log(e.code))`
        )
        assert.strictEqual((await run("node", ["internal.mjs"], app)).trim(), "ERR_PACKAGE_PATH_NOT_EXPORTED")
        // no test or dev-only files shipped
        const files = readdirSync(join(app, "node_modules/effect-http-resilient"))
        assert.includeMembers(files, ["dist", "README.md", "LICENSE", "package.json"])
        assert.notInclude(files, "test")
        assert.notInclude(files, "node_modules")
      }),
    300_000
  )

  it.live(
    "esbuild bundles an app that does not use Redis with no flags, and the bundle runs on its own",
    () =>
      promise(async () => {
        writeFileSync(
          join(app, "bundled.ts"),
          `import { Effect } from "effect"
import { HttpResilient, RateLimiter, ResilientClient, RetryPolicy } from "effect-http-resilient"
import * as http from "node:http"

const server = http.createServer((_req, res) => res.end("bundled"))
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number }
  const program = HttpResilient.get(\`http://127.0.0.1:\${port}/\`).pipe(
    Effect.retry(RetryPolicy.default),
    Effect.flatMap((response) => response.text),
    Effect.provide(ResilientClient.layer({ rateLimiter: { limit: 10, window: "1 second" } })),
    Effect.provide(RateLimiter.layerMemory)
  )
  Effect.runPromise(program).then((text) => {
    console.log(text)
    server.close()
  })
})
`
        )
        // the default output (stdout), as the plain command gives it, written where no node_modules is reachable
        const bundle = await run(local("esbuild"), ["bundled.ts", "--bundle", "--platform=node"], app)
        assert.notInclude(bundle, "ioredis")
        const alone = join(work, "alone")
        mkdirSync(alone)
        writeFileSync(join(alone, "bundle.cjs"), bundle)
        assert.strictEqual((await run("node", ["bundle.cjs"], alone)).trim(), "bundled")
      }),
    300_000
  )

  it.live(
    "require() loads the package and its subpaths (one copy), and keeps internals hidden",
    () =>
      promise(async () => {
        writeFileSync(
          join(app, "required.cjs"),
          `const { Effect } = require("effect")
const http = require("node:http")
const { HttpResilient, ResilientClient } = require("effect-http-resilient")
const Direct = require("effect-http-resilient/HttpResilient")

let hidden
try {
  require("effect-http-resilient/internal/client")
} catch (error) {
  hidden = error.code
}
const server = http.createServer((_req, res) => res.end(JSON.stringify({ from: "require" })))
server.listen(0, "127.0.0.1", () => {
  const program = HttpResilient.get("http://127.0.0.1:" + server.address().port + "/").pipe(
    Effect.flatMap((response) => response.json),
    Effect.provide(ResilientClient.layer({ timeout: "2 seconds" }))
  )
  Effect.runPromise(program).then((body) => {
    console.log(JSON.stringify(body), Direct.get === HttpResilient.get, hidden)
    server.close()
  })
})
`
        )
        assert.strictEqual(
          (await run("node", ["required.cjs"], app)).trim(),
          `{"from":"require"} true ERR_PACKAGE_PATH_NOT_EXPORTED`
        )
        // a CommonJS TypeScript file gets the CommonJS declarations
        writeFileSync(
          join(app, "required.cts"),
          `import Resilient = require("effect-http-resilient")
export const get: typeof Resilient.HttpResilient.get = Resilient.HttpResilient.get
`
        )
        await run(
          join(app, "node_modules/.bin/tsc"),
          ["--noEmit", "--strict", "--module", "nodenext", "--types", "node", "--skipLibCheck", "required.cts"],
          app
        )
      }),
    300_000
  )

  it.live(
    "the README's testing recipe: an @effect/vitest test with HttpResilientTest passes",
    () =>
      promise(async () => {
        mkdirSync(join(app, "recipe"), { recursive: true })
        writeFileSync(
          join(app, "recipe/scripted.test.mjs"),
          `import { assert, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { HttpResilient, HttpResilientTest, RetryPolicy } from "effect-http-resilient"

it.effect("a 503 then a 200", () =>
  Effect.gen(function*() {
    const fiber = yield* HttpResilient.get("http://api.test/x").pipe(Effect.retry(RetryPolicy.default), Effect.fork)
    yield* TestClock.adjust("1 minute")
    const response = yield* Fiber.join(fiber)
    assert.strictEqual(response.status, 200)
  }).pipe(Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(503), HttpResilientTest.reply(200)]))))
`
        )
        // a vitest of its own: without the variables of the vitest running this file
        const env = Object.fromEntries(
          Object.entries(process.env).filter(([name]) => !/^(VITEST|TEST$|NODE_OPTIONS)/.test(name))
        )
        const out = await run(join(app, "node_modules/.bin/vitest"), ["run", "--root", "recipe"], app, env)
        assert.match(out, /1 passed/)
      }),
    300_000
  )
})
