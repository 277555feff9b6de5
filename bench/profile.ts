/**
 * One client against nginx in this process, for profiling the hot path:
 *
 *   taskset -c 1 node --cpu-prof --cpu-prof-dir=bench/.tmp --import tsx bench/profile.ts ours 50000
 *
 * Prints requests/s and CPU µs per request for `rounds` runs of `count` requests at concurrency 64 (and 1).
 * Ours is the tsc build of `src/` as in `npm run bench` (bench/lib.ts); `--source` loads the source through tsx.
 */
import { clientNamed } from "./clients.js"
import { runLoop } from "./loop.js"
import * as Server from "./server.js"

const main = async () => {
  const problem = Server.missing()
  if (problem !== undefined) {
    console.error(`profile: ${problem}`)
    process.exit(1)
  }
  // `--source` (bench/lib.ts) may come anywhere
  const args = process.argv.slice(2).filter((a) => !a.startsWith("--"))
  const name = args[0] ?? "ours"
  const count = Number(args[1] ?? 20_000)
  const rounds = Number(args[2] ?? 3)
  const server = await Server.start()
  try {
    const client = await clientNamed(name).make()
    const url = `${server.origin}/ok`
    await runLoop(client.get, { url, concurrency: 64, count: 2_000, maxMillis: 10_000 })
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of [64, 1]) {
        const n = concurrency === 1 ? Math.ceil(count / 5) : count
        const o = await runLoop(client.get, { url, concurrency, count: n, maxMillis: 60_000 })
        const total = o.ok + o.failed
        console.log(
          `${name} c=${concurrency}: ${(total / (o.elapsedMillis / 1000)).toFixed(0)} req/s, ` +
            `${(o.cpuMicros / total).toFixed(1)} µs CPU/req, ${o.failed} failed`
        )
      }
    }
    await client.close()
  } finally {
    server.stop()
  }
}

main()
