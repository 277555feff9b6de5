/**
 * One client of the v4 bench in its own process (pinned to core 1 by the harness), answering the harness's tasks
 * over IPC one at a time: `node --import tsx --import ./effect-alias.mjs worker.ts <client name>` from bench/v4.
 */
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { serve } from "../ipc.js"
import { type LoopOutcome, type LoopSpec, type PacedOutcome, runPaced, runWarm, withFresh } from "../loop.js"
import { type ClientInstance, clientNamed, editionUndici, packageOf } from "./clients.js"

export type Task =
  | ({ readonly type: "throughput" } & LoopSpec)
  | {
    /** an open loop of the client's retrying call on a fresh client (no budget or breaker state carried over) */
    readonly type: "paced"
    readonly url: string
    readonly calls: number
    readonly perSecond: number
  }
  | { readonly type: "info" }
  | { readonly type: "close" }

/** Which Node and which copies of effect and undici this process runs the client on. */
export interface Info {
  readonly node: string
  /** Node's own undici (its global fetch, `Response` and `Headers`, which the edition's responses are built on) */
  readonly nodeUndici: string
  readonly effect: string
  readonly undici: string
  readonly platformUndici?: string | undefined
}

export type TaskResult =
  | { readonly type: "throughput"; readonly outcome: LoopOutcome }
  | { readonly type: "paced"; readonly outcome: PacedOutcome | undefined; readonly retryLabel?: string | undefined }
  | { readonly type: "info"; readonly info: Info }
  | { readonly type: "closed" }

const definition = clientNamed(process.argv[2] ?? "")
let instance: ClientInstance | undefined
const client = async () => instance ??= await definition.make()

const info = (): Info => ({
  node: process.version,
  nodeUndici: process.versions.undici ?? "?",
  // effect as this process resolves it (through effect-alias.mjs), undici as the edition's exchange resolves it
  effect: packageOf("effect", fileURLToPath(import.meta.resolve("effect"))),
  undici: packageOf("undici", editionUndici()),
  platformUndici: definition.node22 === true
    ? packageOf(
      "undici",
      createRequire(fileURLToPath(import.meta.resolve("@effect/platform-node/NodeHttpClient"))).resolve("undici")
    )
    : undefined
})

const handle = async (task: Task): Promise<TaskResult> => {
  switch (task.type) {
    case "throughput":
      return { type: "throughput", outcome: await runWarm((await client()).get, task) }
    case "paced": {
      return withFresh(definition.make, async (fresh) => {
        if (fresh.retrying === undefined) return { type: "paced", outcome: undefined }
        return { type: "paced", outcome: await runPaced(fresh.retrying, task), retryLabel: fresh.retryLabel }
      })
    }
    case "info":
      return { type: "info", info: info() }
    case "close":
      await instance?.close()
      return { type: "closed" }
  }
}

serve(handle)
