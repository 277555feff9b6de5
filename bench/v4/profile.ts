/**
 * One client of the v4 bench in this process against nginx, its measured loop profiled (node:inspector, so start-up
 * and module loading stay out), as bench/profile.ts does for v3. From bench/v4, with the Node 22 binary:
 *
 *   taskset -c 1 node_modules/.bin/node --import tsx --import ./effect-alias.mjs profile.ts edition 50000
 *
 * writes bench/.tmp/v4-<client>.cpuprofile (open it in Chrome's DevTools or speedscope). `BENCH_V4_EDITION=dist`
 * loads the build in dist/v4 (`npm run build`), whose function names tsx does not hide.
 */
import * as fs from "node:fs"
import { Session } from "node:inspector/promises"
import * as path from "node:path"
import { runLoop } from "../loop.js"
import * as Server from "../server.js"
import { clientNamed, root } from "./clients.js"

const name = process.argv[2] ?? "edition"
const count = Number(process.argv[3] ?? 50_000)
const server = await Server.start()
try {
  const client = await clientNamed(name).make()
  const url = `${server.origin}/ok`
  await runLoop(client.get, { url, concurrency: 64, count: 5_000, maxMillis: 30_000 })
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.start")
  const outcome = await runLoop(client.get, { url, concurrency: 64, count, maxMillis: 120_000 })
  const { profile } = await session.post("Profiler.stop")
  session.disconnect()
  const out = path.join(root, "bench", ".tmp", `v4-${name}.cpuprofile`)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify(profile))
  const n = outcome.ok + outcome.failed
  console.log(
    `${name}: ${n} requests, ${(n / (outcome.elapsedMillis / 1000)).toFixed(0)} req/s, ` +
      `${(outcome.cpuMicros / n).toFixed(1)} µs CPU per request, ${outcome.failed} failed; wrote ${
        path.relative(root, out)
      }`
  )
  await client.close()
} finally {
  server.stop()
}
