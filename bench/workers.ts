/**
 * The client processes of the benchmark: one per client, pinned to core 1, driven over IPC one task at a time.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ClientDefinition } from "./clients.js"
import type { Task, TaskResult } from "./worker.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")

export interface Worker {
  readonly definition: ClientDefinition
  readonly run: (task: Task) => Promise<TaskResult>
  readonly stop: () => void
}

export const children = new Set<ChildProcess>()

export const startWorker = (definition: ClientDefinition): Promise<Worker> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "taskset",
      [
        "-c",
        "1",
        process.execPath,
        "--expose-gc",
        // a young generation of fixed size (Node's default maximum): RSS then moves with what is kept, not with
        // the collector growing its nursery under load
        "--min-semi-space-size=16",
        "--max-semi-space-size=16",
        "--import",
        "tsx",
        path.join(here, "worker.ts"),
        definition.name
      ],
      { cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"] }
    )
    children.add(child)
    let next = 0
    const pending = new Map<number, { resolve: (r: TaskResult) => void; reject: (e: Error) => void }>()
    const stop = () => {
      children.delete(child)
      if (child.exitCode === null) child.kill("SIGTERM")
    }
    child.on("exit", (code) => {
      children.delete(child)
      for (const p of pending.values()) p.reject(new Error(`worker ${definition.name} exited (${code})`))
      reject(new Error(`worker ${definition.name} exited (${code}) before it was ready`))
    })
    child.on("message", (message: any) => {
      if (message.ready) {
        resolve({
          definition,
          stop,
          run: (task) =>
            new Promise((res, rej) => {
              const id = next++
              // every task is bounded: a client that hangs is stopped and the run fails
              const limit = 2 * ("maxMillis" in task ? task.maxMillis : 60_000) + 30_000
              const timer = setTimeout(() => {
                pending.delete(id)
                stop()
                rej(new Error(`worker ${definition.name}: task ${task.type} took more than ${limit} ms`))
              }, limit)
              pending.set(id, {
                resolve: (r) => {
                  clearTimeout(timer)
                  res(r)
                },
                reject: (e) => {
                  clearTimeout(timer)
                  rej(e)
                }
              })
              child.send({ id, task })
            })
        })
        return
      }
      const p = pending.get(message.id)
      if (p === undefined) return
      pending.delete(message.id)
      if (message.error !== undefined) p.reject(new Error(`${definition.name}: ${message.error}`))
      else p.resolve(message.result)
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
