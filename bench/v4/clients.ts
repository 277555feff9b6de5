/**
 * The clients of the v4 bench (`bench/v4/run.ts`), each loaded only by the worker process that runs it:
 *
 * - `undici`: raw undici `request` on an `Agent` — the undici the edition itself loads (resolved from `src/core`,
 *   where its exchange imports it), not `@effect/platform-node`'s own undici 8;
 * - `edition`: the v4 edition from its TypeScript source (`v4/src/index.ts`, through tsx), `HttpResilient.get(url)`
 *   under `ResilientClientLive`; `edition+policy` adds `Effect.retry(RetryPolicy.default)`, and `edition+budget` the
 *   same with `circuitBreaker: false` (the retry budget alone);
 * - `httpclient`: Effect v4's own `HttpClient` over `NodeHttpClient.layerUndici` (`@effect/platform-node` 4, undici 8,
 *   Node ≥ 22.19 only), `filterStatusOk` and the body read; `httpclient+retry` adds `HttpClient.retryTransient`.
 *
 * `effect` resolves to one copy for all of them (v4/node_modules/effect, see effect-alias.mjs).
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { type Call, type ClientBase, type ClientDefinitionOf, effectCallOf, promiseCall } from "../loop.js"

const effectCall = effectCallOf(Effect)

const here = path.dirname(fileURLToPath(import.meta.url))
export const root = path.resolve(here, "../..")
/** A file of the edition's undici exchange: `undici` as the edition resolves it is `undici` resolved from here. */
const coreExchange = path.join(root, "src/core/exchange.ts")

/** The version and directory (relative to the repository) of package `name`, given a file inside it. */
export const packageOf = (name: string, file: string): string => {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json")
    if (!fs.existsSync(manifest)) continue
    const json = JSON.parse(fs.readFileSync(manifest, "utf8"))
    if (json.name !== name) continue
    // the root's node_modules may be a link: name it as the repository does
    const modules = fs.realpathSync(path.join(root, "node_modules"))
    const where = dir.startsWith(modules + path.sep) ? path.join("node_modules", path.relative(modules, dir)) : dir
    return `${json.version} (${path.relative(root, path.resolve(root, where))})`
  }
  return `? (${file})`
}

/** The undici the edition loads: `undici` resolved from the core's exchange, where the edition imports it. */
export const editionUndici = () => createRequire(coreExchange).resolve("undici")

/** What a client offers the harness. */
export interface ClientInstance extends ClientBase {
  /** The client's retrying call of the outage scenario (about 3 retries from 100 ms, jittered). */
  readonly retrying?: Call | undefined
}

export interface ClientDefinition extends ClientDefinitionOf<ClientInstance> {
  /** runs only under Node ≥ 22.19 (@effect/platform-node 4's engines) */
  readonly node22?: boolean
}

/** The schedule of `HttpClient.retryTransient` comparable to `RetryPolicy.default`: exponential from 100 ms, jittered. */
const transientSchedule = Schedule.exponential("100 millis").pipe(Schedule.jittered)

const rawUndici = async (): Promise<ClientInstance> => {
  const Undici: typeof import("undici") = await import(pathToFileURL(editionUndici()).href)
  const agent = new Undici.Agent({ connections: 128 })
  return {
    get: promiseCall(async (url) => {
      const response = await Undici.request(url, { dispatcher: agent })
      await response.body.arrayBuffer()
      if (response.statusCode >= 400) throw new Error(`status ${response.statusCode}`)
    }),
    close: () => agent.close()
  }
}

/**
 * The edition: its TypeScript source through tsx, or with `BENCH_V4_EDITION=dist` (`--edition=dist`) the build in
 * dist/v4 (`npm run build`), the JavaScript the package ships.
 */
export const editionFrom = (): string =>
  process.env.BENCH_V4_EDITION === "dist" ? "dist/v4/v4/src/index.js" : "v4/src/index.ts"
const editionModule = (): Promise<typeof import("../../v4/src/index.js")> =>
  editionFrom().startsWith("dist")
    ? import(pathToFileURL(path.join(root, editionFrom())).href)
    : import("../../v4/src/index.js")

const edition = (options: { readonly circuitBreaker?: false } | undefined) => async (): Promise<ClientInstance> => {
  const { HttpResilient, ResilientClient, ResilientClientLive, RetryPolicy } = await editionModule()
  const runtime = ManagedRuntime.make(
    options === undefined ? ResilientClientLive : ResilientClient.layer(options)
  ) as ManagedRuntime.ManagedRuntime<any, any>
  await runtime.runPromise(Effect.sync(() => undefined))
  const breaker = options?.circuitBreaker === false ? "circuit breaker off" : "circuit breaker on"
  return {
    get: effectCall(runtime, (url) => HttpResilient.get(url)),
    retrying: effectCall(runtime, (url) => Effect.retry(HttpResilient.get(url), RetryPolicy.default)),
    retryLabel:
      `Effect.retry(RetryPolicy.default): 3 retries, full jitter from 100 ms, default retry budget, ${breaker}`,
    close: () => runtime.dispose()
  }
}

const httpClient = async (): Promise<ClientInstance> => {
  const NodeHttpClient = await import("@effect/platform-node/NodeHttpClient")
  const HttpClient = await import("effect/http/HttpClient")
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici) as ManagedRuntime.ManagedRuntime<any, any>
  const client = await runtime.runPromise(Effect.service(HttpClient.HttpClient))
  const plain = HttpClient.filterStatusOk(client)
  const retried = plain.pipe(HttpClient.retryTransient({ times: 3, schedule: transientSchedule }))
  return {
    get: effectCall(runtime, (url) => Effect.flatMap(plain.get(url), (response) => response.arrayBuffer)),
    retrying: effectCall(runtime, (url) => Effect.flatMap(retried.get(url), (response) => response.arrayBuffer)),
    retryLabel: "HttpClient.retryTransient({ times: 3, schedule: exponential 100 ms, jittered })",
    close: () => runtime.dispose()
  }
}

/** Every client, the reference (`undici`) first. */
export const clients: ReadonlyArray<ClientDefinition> = [
  { name: "undici", label: "raw undici request (reference)", make: rawUndici },
  { name: "edition", label: "v4 edition, ResilientClientLive", make: edition(undefined) },
  {
    name: "edition+budget",
    label: "v4 edition, circuitBreaker: false (the retry budget alone)",
    make: edition({ circuitBreaker: false })
  },
  { name: "httpclient", label: "Effect v4 HttpClient, NodeHttpClient.layerUndici", make: httpClient, node22: true }
]

export const clientNamed = (name: string): ClientDefinition => {
  const found = clients.find((c) => c.name === name)
  if (found === undefined) throw new Error(`unknown client ${name}; known: ${clients.map((c) => c.name).join(", ")}`)
  return found
}
