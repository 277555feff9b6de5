/**
 * Every program in examples/ runs to completion against its embedded loopback server and prints what it promises.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")

const runExample = (file: string) =>
  new Promise<{ code: number; output: string }>((ok) => {
    execFile(
      process.execPath,
      ["--import", "tsx", resolve(root, "examples", file)],
      { cwd: root, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) =>
        ok({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: stdout + stderr })
    )
  })

const cases: ReadonlyArray<[string, ReadonlyArray<string | RegExp>]> = [
  ["quickstart.ts", ["got Ada after 2 requests"]],
  ["post-idempotency.ts", [
    /keys sent: ([0-9a-f-]{36}), \1"/,
    "without a key: 503 Service Unavailable",
    "requests sent: 1"
  ]],
  ["per-host-policy.ts", ["payments: StatusError", "payments: CircuitOpenError", "catalog still answers: 200"]],
  ["sse-consumer.ts", ["price #9", "10 events, each exactly once"]],
  ["testing-with-testclock.ts", ["after 4 requests at virtual ms 0, 1000, 3000, 7000"]],
  ["fetch-client.ts", ["hello over fetch (after 3 requests)"]],
  ["otel-export.ts", ["http.request.resend_count", "http.client.request.duration"]]
]

describe.concurrent("examples run", () => {
  for (const [file, expected] of cases) {
    it(file, async () => {
      const { code, output } = await runExample(file)
      assert.strictEqual(code, 0, output)
      for (const e of expected) {
        if (typeof e === "string") assert.include(output, e)
        else assert.match(output, e)
      }
      if (file === "sse-consumer.ts") {
        const ids = [...output.matchAll(/price #(\d+)/g)].map((m) => Number(m[1]))
        assert.deepStrictEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9])
      }
    }, 90_000)
  }
})
