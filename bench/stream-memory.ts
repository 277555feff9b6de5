/**
 * Peak memory of reading a 50 MB body: `HttpResilient.stream` with a slow consumer, against the buffered
 * `HttpResilient.get` for contrast.
 *
 *   npx tsx bench/stream-memory.ts            # both modes, 50 MB
 *   npx tsx bench/stream-memory.ts 200        # 200 MB
 *
 * The server runs in this process and writes with backpressure; each client mode runs in its own child process,
 * which samples its RSS every 10 ms and reports the peak above its baseline (measured after the client layer is
 * built, before the request). Loopback only, one request per mode.
 */
import { Effect, Stream } from "effect"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { HttpResilient, ResilientClient } from "../src/index.js"

const MB = 1024 * 1024

interface Result {
  readonly mode: string
  readonly bytes: number
  readonly sha256: string
  readonly baselineRssMb: number
  readonly peakRssMb: number
  readonly peakAboveBaselineMb: number
  readonly seconds: number
}

const pattern = Buffer.alloc(64 * 1024)
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff

const expectedHash = (total: number): string => {
  const hash = createHash("sha256")
  for (let sent = 0; sent < total; sent += pattern.length) {
    hash.update(pattern.subarray(0, Math.min(pattern.length, total - sent)))
  }
  return hash.digest("hex")
}

const serve = (total: number) =>
  new Promise<http.Server>((resolve) => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total })
      let sent = 0
      const pump = () => {
        while (sent < total) {
          const chunk = pattern.subarray(0, Math.min(pattern.length, total - sent))
          sent += chunk.length
          if (!res.write(chunk)) return void res.once("drain", pump)
        }
        res.end()
      }
      pump()
    })
    server.listen(0, "127.0.0.1", () => resolve(server))
  })

const client = async (mode: string, url: string, total: number): Promise<Result> => {
  let peak = 0
  const sample = () => {
    const rss = process.memoryUsage.rss()
    if (rss > peak) peak = rss
  }
  const timer = setInterval(sample, 10)
  const program = Effect.gen(function*() {
    global.gc?.()
    const baseline = process.memoryUsage.rss()
    peak = baseline
    const start = performance.now()
    const hash = createHash("sha256")
    let bytes = 0
    if (mode === "stream") {
      let chunks = 0
      yield* HttpResilient.stream(url).pipe(
        Stream.runForEach((chunk) => {
          hash.update(chunk)
          bytes += chunk.byteLength
          // a slow consumer: 1 ms pause every 16 chunks
          return ++chunks % 16 === 0 ? Effect.promise(() => new Promise((r) => setTimeout(r, 1))) : Effect.void
        })
      )
    } else {
      const response = yield* HttpResilient.get(url, { maxResponseSize: total + MB })
      const body = new Uint8Array(yield* Effect.orDie(response.arrayBuffer))
      hash.update(body)
      bytes = body.byteLength
    }
    sample()
    const seconds = (performance.now() - start) / 1000
    return {
      mode,
      bytes,
      sha256: hash.digest("hex"),
      baselineRssMb: +(baseline / MB).toFixed(1),
      peakRssMb: +(peak / MB).toFixed(1),
      peakAboveBaselineMb: +((peak - baseline) / MB).toFixed(1),
      seconds: +seconds.toFixed(2)
    }
  })
  try {
    return await Effect.runPromise(program.pipe(Effect.provide(ResilientClient.layer({}))))
  } finally {
    clearInterval(timer)
  }
}

const runChild = (mode: string, url: string, total: number): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), "child", mode, url, String(total)],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.on("data", (d) => out += d)
    const guard = setTimeout(() => child.kill(), 120_000)
    child.on("exit", (code) => {
      clearTimeout(guard)
      if (code !== 0) return reject(new Error(`${mode} client exited with ${code}`))
      resolve(JSON.parse(out.trim().split("\n").pop()!))
    })
  })

const main = async () => {
  const [, , role, ...rest] = process.argv
  if (role === "child") {
    const [mode, url, total] = rest
    console.log(JSON.stringify(await client(mode, url, Number(total))))
    return
  }
  const total = Number(role ?? 50) * MB
  const server = await serve(total)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big`
  const expected = expectedHash(total)
  try {
    for (const mode of ["stream", "buffered"]) {
      const result = await runChild(mode, url, total)
      const ok = result.sha256 === expected && result.bytes === total
      console.log(
        `${mode.padEnd(8)} ${(result.bytes / MB).toFixed(0)} MB in ${result.seconds}s  ` +
          `peak RSS ${result.peakRssMb} MB (baseline ${result.baselineRssMb} MB, +${result.peakAboveBaselineMb} MB)  ` +
          `${ok ? "hash ok" : "HASH MISMATCH"}`
      )
      if (!ok) process.exitCode = 1
    }
  } finally {
    server.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
