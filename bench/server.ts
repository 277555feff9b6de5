/**
 * The benchmark's server: Debian's nginx with the echo module, started with its own configuration in a
 * temporary directory, one worker pinned to core 0, listening on a free loopback port.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

const NGINX = "/usr/sbin/nginx"
const ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

/** Share of `/flaky` answered with 503, and of `/slow-tail` delayed by `slowTailDelaySeconds`. */
export const flakyShare = 0.3
export const slowTailShare = 0.1
export const slowTailDelaySeconds = 0.05
export const bigSize = 50 * 1024 * 1024
/** The shares of 503s of the fault curve's endpoints `/fault-<percent>` (0 and 100 included). */
export const faultShares = [0, 0.1, 0.3, 0.5, 0.7, 1] as const
/** Share of `/reset-30` whose connection is closed without an answer (nginx's 444). */
export const resetShare = 0.3
/** Share of `/tail` answered after `tailDelaySeconds` (the hedging scenario's slow tail). */
export const tailShare = 0.02
export const tailDelaySeconds = 1
/** The path that answers 503 while the server is down (`setDown`), 200 otherwise. */
export const switchPath = "/switch"

/** The server as the harness sees it. */
export interface Server {
  readonly origin: string
  readonly dir: string
  readonly version: string
  /**
   * Lines of the access log of the counted endpoints (`/503`, `/flaky`, `/retry-after`, `/fault-*`, `/reset-30`,
   * `/switch`, `/tail`).
   */
  readonly countedLines: () => ReadonlyArray<CountedLine>
  /** Makes `/switch` answer 503 (`true`) or 200 (`false`) from the next request on. */
  readonly setDown: (down: boolean) => void
  readonly stop: () => void
}

/** One request the server logged: when (epoch seconds, ms precision), which path, which status. */
export interface CountedLine {
  readonly time: number
  readonly path: string
  readonly status: number
}

/** What is missing to run the benchmark, or `undefined` when nothing is. */
export const missing = (): string | undefined => {
  if (!fs.existsSync(NGINX)) {
    return `nginx is not installed (${NGINX} not found).\n` +
      "Install it with: apt-get update && apt-get install -y nginx libnginx-mod-http-echo"
  }
  if (!fs.existsSync(ECHO_MODULE)) {
    return `the nginx echo module is not installed (${ECHO_MODULE} not found).\n` +
      "Install it with: apt-get install -y libnginx-mod-http-echo"
  }
  if (spawnSync("taskset", ["--version"]).error) {
    return "taskset is not available (Debian package util-linux)"
  }
  return undefined
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as net.AddressInfo).port
      probe.close(() => resolve(port))
    })
  })

const percent = (share: number) => `${Math.round(share * 100)}%`

const config = (dir: string, port: number): string => {
  const json = `'{"ok":true,"service":"bench","items":[1,2,3]}'`
  return `
load_module ${ECHO_MODULE};
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  log_format counted '$msec $uri $status';
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  sendfile on;
  split_clients "\${request_id}" $flaky { ${percent(flakyShare)} 1; * ""; }
  split_clients "\${request_id}slow" $slow { ${percent(slowTailShare)} 1; * ""; }
${
    faultShares.filter((share) => share > 0 && share < 1).map((share) =>
      `  split_clients "\${request_id}f${percent(share)}" $fault${Math.round(share * 100)} { ${
        percent(share)
      } 1; * ""; }`
    ).join("\n")
  }
  split_clients "\${request_id}reset" $reset { ${percent(resetShare)} 1; * ""; }
  split_clients "\${request_id}tail" $tail { ${percent(tailShare)} 1; * ""; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    default_type application/json;
    location = /ok { return 200 ${json}; }
    location = /503 { access_log ${dir}/counted.log counted; return 503 '{"error":"unavailable"}'; }
    location = /flaky {
      access_log ${dir}/counted.log counted;
      if ($flaky) { return 503 '{"error":"unavailable"}'; }
      return 200 ${json};
    }
    location = /retry-after {
      access_log ${dir}/counted.log counted;
      add_header Retry-After 1 always;
      return 503 '{"error":"unavailable"}';
    }
    location = /slow-tail {
      if ($slow) { rewrite ^ /slow-tail-delayed last; }
      echo ${json};
    }
    location = /slow-tail-delayed { internal; echo_sleep ${slowTailDelaySeconds}; echo ${json}; }
    location = /big { default_type application/octet-stream; alias ${dir}/big.bin; }
${
    faultShares.map((share) => {
      const n = Math.round(share * 100)
      const fault = share === 0
        ? ""
        : share === 1
        ? "return 503 '{\"error\":\"unavailable\"}';"
        : `if ($fault${n}) { return 503 '{"error":"unavailable"}'; }`
      return `    location = /fault-${n} { access_log ${dir}/counted.log counted; ${fault} return 200 ${json}; }`
    }).join("\n")
  }
    location = /reset-30 { access_log ${dir}/counted.log counted; if ($reset) { return 444; } return 200 ${json}; }
    location = ${switchPath} {
      access_log ${dir}/counted.log counted;
      if (-f ${dir}/down) { return 503 '{"error":"unavailable"}'; }
      return 200 ${json};
    }
    location = /tail {
      access_log ${dir}/counted.log counted;
      if ($tail) { rewrite ^ /tail-delayed last; }
      echo ${json};
    }
    location = /tail-delayed {
      internal;
      access_log ${dir}/counted.log counted;
      echo_sleep ${tailDelaySeconds};
      echo ${json};
    }
  }
}
`
}

const waitReady = async (port: number, child: ChildProcess, dir: string): Promise<void> => {
  const until = Date.now() + 10_000
  while (Date.now() < until) {
    if (child.exitCode !== null) break
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resolve(true)
      })
      socket.once("error", () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  const log = fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, "utf8") : ""
  throw new Error(`nginx did not start on 127.0.0.1:${port}\n${log}`)
}

/** Starts nginx; `stop` (also called on exit) ends it and removes the directory. */
export const start = async (): Promise<Server> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-nginx-"))
  // the worker runs unprivileged: it must read the directory and the file
  fs.chmodSync(dir, 0o755)
  fs.mkdirSync(`${dir}/tmp`)
  // the 50 MB body, written in 1 MB pieces of varying bytes
  const fd = fs.openSync(`${dir}/big.bin`, "w")
  const piece = Buffer.alloc(1 << 20)
  for (let i = 0; i < piece.length; i++) piece[i] = (i * 31 + 7) & 0xff
  for (let written = 0; written < bigSize; written += piece.length) fs.writeSync(fd, piece)
  fs.closeSync(fd)
  fs.chmodSync(`${dir}/big.bin`, 0o644)
  fs.writeFileSync(`${dir}/counted.log`, "")

  const port = await freePort()
  fs.writeFileSync(`${dir}/nginx.conf`, config(dir, port))
  const version = spawnSync(NGINX, ["-v"], { encoding: "utf8" }).stderr.trim().replace(/^nginx version: /, "")
  const child = spawn("taskset", ["-c", "0", NGINX, "-p", dir, "-e", `${dir}/error.log`, "-c", `${dir}/nginx.conf`], {
    stdio: ["ignore", "ignore", "inherit"]
  })
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, "SIGTERM")
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  process.once("exit", stop)
  try {
    await waitReady(port, child, dir)
  } catch (error) {
    stop()
    throw error
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    dir,
    version,
    stop,
    setDown: (down) => {
      if (down) fs.writeFileSync(`${dir}/down`, "")
      else fs.rmSync(`${dir}/down`, { force: true })
    },
    countedLines: () =>
      fs.readFileSync(`${dir}/counted.log`, "utf8").split("\n").filter((l) => l !== "").map((line) => {
        const [time, p, status] = line.split(" ")
        return { time: Number(time), path: p, status: Number(status) }
      })
  }
}
