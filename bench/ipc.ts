/**
 * The harness's side and the client process's side of the IPC both benches drive their clients over (bench/workers.ts
 * and bench/worker.ts for the v3 clients, bench/v4/run.ts and bench/v4/worker.ts for Effect v4's): one process per
 * client, one task at a time, each task bounded. No `effect` import (each bench has its own copy of Effect).
 */
import { type ChildProcess, spawn } from "node:child_process"

/** A client process as the harness sees it: `run` sends one task and resolves with its result. */
export interface Channel<T, R> {
  readonly run: (task: T) => Promise<R>
  readonly stop: () => void
}

/** Every client process still running, stopped on the harness's exit. */
export const children = new Set<ChildProcess>()

/** How a client process starts. */
export interface ClientProcess {
  /** names the process in errors */
  readonly key: string
  /** the Node binary */
  readonly node: string
  /** modules loaded first (`--import`) */
  readonly imports: ReadonlyArray<string>
  readonly script: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  /** a task without `maxMillis` is bounded as if it had this */
  readonly defaultMillis: number
}

/**
 * Starts a client process pinned to core 1 with an IPC channel and resolves once it says it is ready ({@link serve}).
 * Its young generation has a fixed size (Node's default maximum): RSS then moves with what is kept, not with the
 * collector growing its nursery under load. Every task is bounded (twice its `maxMillis`, plus 30 s): a client that
 * hangs is stopped and its task fails.
 */
export const startClient = <T extends { readonly type: string }, R>(
  { args, cwd, defaultMillis, imports, key, node, script }: ClientProcess
): Promise<Channel<T, R>> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "taskset",
      [
        ...["-c", "1", node, "--expose-gc", "--min-semi-space-size=16", "--max-semi-space-size=16"],
        ...imports.flatMap((module) => ["--import", module]),
        script,
        ...args
      ],
      { cwd, stdio: ["ignore", "inherit", "inherit", "ipc"] }
    )
    children.add(child)
    let next = 0
    const pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>()
    const stop = () => {
      children.delete(child)
      if (child.exitCode === null) child.kill("SIGTERM")
    }
    child.on("exit", (code) => {
      children.delete(child)
      for (const p of pending.values()) p.reject(new Error(`worker ${key} exited (${code})`))
      reject(new Error(`worker ${key} exited (${code}) before it was ready`))
    })
    const run = (task: T) =>
      new Promise<R>((res, rej) => {
        const id = next++
        const limit = 2 * ("maxMillis" in task && typeof task.maxMillis === "number" ? task.maxMillis : defaultMillis) +
          30_000
        const timer = setTimeout(() => {
          pending.delete(id)
          stop()
          rej(new Error(`worker ${key}: task ${task.type} took more than ${limit} ms`))
        }, limit)
        const settle = <A>(f: (a: A) => void) => (a: A) => {
          clearTimeout(timer)
          f(a)
        }
        pending.set(id, { resolve: settle(res), reject: settle(rej) })
        child.send({ id, task })
      })
    child.on("message", (message: any) => {
      if (message.ready) return resolve({ run, stop })
      const p = pending.get(message.id)
      if (p === undefined) return
      pending.delete(message.id)
      if (message.error !== undefined) p.reject(new Error(`${key}: ${message.error}`))
      else p.resolve(message.result)
    })
  })

/** The client process's side: answers each task with `handle`'s result (or its error), then says it is ready. */
export const serve = <T, R>(handle: (task: T) => Promise<R>): void => {
  process.on("message", (message: { id: number; task: T }) => {
    handle(message.task).then(
      (result) => process.send!({ id: message.id, result }),
      (error) => process.send!({ id: message.id, error: String(error?.stack ?? error) })
    )
  })
  process.send!({ ready: true })
}
