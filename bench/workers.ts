/**
 * The client processes of the benchmark: one per client, pinned to core 1, driven over IPC one task at a time.
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ClientDefinition } from "./clients.js"
import { children, startClient } from "./ipc.js"
import type { Task, TaskResult } from "./worker.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")

export interface Worker {
  readonly definition: ClientDefinition
  readonly run: (task: Task) => Promise<TaskResult>
  readonly stop: () => void
}

export { children }

export const startWorker = async (definition: ClientDefinition): Promise<Worker> => ({
  definition,
  ...await startClient<Task, TaskResult>({
    key: definition.name,
    node: process.execPath,
    imports: ["tsx"],
    script: path.join(here, "worker.ts"),
    args: [definition.name],
    cwd: root,
    defaultMillis: 60_000
  })
})

/** Runs `f` with a fresh worker for `definition`, stopped afterwards. */
export const withFreshWorker = async <A>(definition: ClientDefinition, f: (w: Worker) => Promise<A>): Promise<A> => {
  const worker = await startWorker(definition)
  try {
    return await f(worker)
  } finally {
    worker.stop()
  }
}
