/**
 * The clients under comparison. Adding one is one entry in `clients`: a name, a label and `make`, which returns
 * its calls (see `ClientInstance`). Every client keeps connections alive and reads every body to its end.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import axios from "axios"
import axiosRetry, { exponentialDelay } from "axios-retry"
import { ExponentialBackoff, handleWhenResult, retry as cockatielRetry } from "cockatiel"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import got from "got"
import ky from "ky"
import * as http from "node:http"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as Undici from "undici"
import type * as Source from "../src/index.js"
import { asyncDispatch } from "./floor.js"
import { Lib } from "./lib.js"
import { type Call, type ClientBase, type ClientDefinitionOf, effectCallOf, promiseCall } from "./loop.js"

const effectCall = effectCallOf(Effect)

/** What a client offers the harness. */
export interface ClientInstance extends ClientBase {
  /** The same with `retries` retries by the client's own mechanism and a backoff of a few milliseconds. */
  readonly retrying?: ((retries: number) => Call) | undefined
  /** ours: `Effect.retry(get, RetryPolicy.default)`, the call the fault-curve targets are about */
  readonly policyDefault?: Call | undefined
  /** ours: `get` hedged with `HttpResilient.hedge({ delay })` (the hedging scenario) */
  readonly hedged?: ((delay: string) => Call) | undefined
  /** GET a large body without holding it in memory. */
  readonly streamed?: Call | undefined
  /** GET a large body into memory. */
  readonly buffered?: Call | undefined
}

export interface ClientDefinition extends ClientDefinitionOf<ClientInstance> {
  /** measured in the outage and Retry-After tables only */
  readonly retriesOnly?: boolean
}

/** The backoff every retrying client uses in the outage scenarios: a few milliseconds, so runs stay short. */
export const benchBackoffMillis = 5

// Modules other parts of the library add; read through `any` so the harness runs before and after they exist.
const RetryPolicy: any = (Lib as any).RetryPolicy
const streamVerb: ((url: string, options?: unknown) => Stream.Stream<Uint8Array, unknown, any>) | undefined =
  (Lib.HttpResilient as any).stream

/** Whether `RetryPolicy.default` is exported by the library. */
export const hasRetryPolicy = RetryPolicy !== undefined && RetryPolicy.default !== undefined
/** Whether `HttpResilient.stream` is exported by the library. */
export const hasStreamVerb = streamVerb !== undefined

/** A `RetryPolicy` with `retries` retries and the bench's short backoff (the client's default retry budget applies). */
const retryPolicy = (retries: number) =>
  RetryPolicy.make({ retries, backoff: Schedule.exponential(`${benchBackoffMillis} millis`) })

const statusOk = (status: number) => {
  if (status >= 400) throw new Error(`status ${status}`)
}

interface OursOptions {
  readonly retry: "none" | "policy"
  /** the library to load: this checkout (its tsc build, or its source with `--source`), or a baseline build */
  readonly lib?: typeof Source
  /** client options instead of `ResilientClientLive` */
  readonly options?: Source.ResilientClient.ClientOptions
}

const ours = ({ lib = Lib, options, retry }: OursOptions): () => Promise<ClientInstance> => async () => {
  const runtime = ManagedRuntime.make(
    options === undefined ? lib.ResilientClientLive : lib.ResilientClient.layer(options)
  ) as ManagedRuntime.ManagedRuntime<any, any>
  await runtime.runPromise(Effect.void)
  const get = retry === "policy"
    ? (url: string) => Effect.retry(lib.HttpResilient.get(url), RetryPolicy.default)
    : (url: string) => lib.HttpResilient.get(url)
  const stream = (lib.HttpResilient as any).stream as typeof streamVerb
  const breaker = options?.circuitBreaker === false ? "circuit breaker off" : "circuit breaker on"
  return {
    get: effectCall(runtime, get),
    retrying: retry === "policy"
      ? (retries) => effectCall(runtime, (url) => Effect.retry(lib.HttpResilient.get(url), retryPolicy(retries)))
      : (retries) =>
        effectCall(runtime, (url) =>
          Effect.retry(lib.HttpResilient.get(url), {
            schedule: Schedule.exponential(`${benchBackoffMillis} millis`),
            times: retries
          })),
    retryLabel: retry === "policy"
      ? `RetryPolicy.make({ retries, backoff: exponential ${benchBackoffMillis} ms }), default retry budget, ${breaker}`
      : `Effect.retry(Schedule.exponential(${benchBackoffMillis} ms), times): a plain Schedule, no budget, ${breaker}`,
    policyDefault: hasRetryPolicy
      ? effectCall(runtime, (url) => Effect.retry(lib.HttpResilient.get(url), RetryPolicy.default))
      : undefined,
    hedged: (delay) =>
      effectCall(runtime, (url) => lib.HttpResilient.get(url).pipe(lib.HttpResilient.hedge({ delay: delay as any }))),
    buffered: effectCall(runtime, (url) => lib.HttpResilient.get(url, { maxResponseSize: 64 * 1024 * 1024 })),
    streamed: stream === undefined ? undefined : effectCall(runtime, (url) => Stream.runDrain(stream(url))),
    close: () => runtime.dispose()
  }
}

const platform = async (): Promise<ClientInstance> => {
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  await runtime.runPromise(Effect.void)
  const get = (client: HttpClient.HttpClient, url: string) =>
    Effect.scoped(Effect.flatMap(client.get(url), (response) => response.arrayBuffer))
  return {
    get: effectCall(
      runtime,
      (url) => Effect.flatMap(HttpClient.HttpClient, (c) => get(HttpClient.filterStatusOk(c), url))
    ),
    retrying: (retries) =>
      effectCall(runtime, (url) =>
        Effect.flatMap(HttpClient.HttpClient, (c) =>
          get(
            HttpClient.filterStatusOk(c).pipe(
              HttpClient.retryTransient({
                times: retries,
                schedule: Schedule.exponential(`${benchBackoffMillis} millis`)
              })
            ),
            url
          ))),
    retryLabel: "HttpClient.retryTransient({ times, schedule })",
    close: () => runtime.dispose()
  }
}

const rawUndici = async (): Promise<ClientInstance> => {
  const agent = new Undici.Agent({ connections: 128 })
  return {
    get: promiseCall(async (url) => {
      const response = await Undici.request(url, { dispatcher: agent })
      await response.body.arrayBuffer()
      statusOk(response.statusCode)
    }),
    streamed: promiseCall(async (url) => {
      const response = await Undici.request(url, { dispatcher: agent })
      for await (const _ of response.body) {
        // discard
      }
    }),
    buffered: promiseCall(async (url) => {
      const response = await Undici.request(url, { dispatcher: agent })
      await response.body.arrayBuffer()
    }),
    close: () => agent.close()
  }
}

const effectAsyncFloor = (retried: boolean) => async (): Promise<ClientInstance> => {
  const agent = new Undici.Agent({ connections: 128 })
  const runtime = ManagedRuntime.make(Layer.empty) as unknown as ManagedRuntime.ManagedRuntime<any, any>
  return {
    get: effectCall(
      runtime,
      retried
        ? (url) => Effect.retry(asyncDispatch(agent, new URL(url)), Schedule.recurs(3))
        : (url) => asyncDispatch(agent, new URL(url))
    ),
    close: async () => {
      await runtime.dispose()
      await agent.close()
    }
  }
}

const keepAliveAgent = () => new http.Agent({ keepAlive: true, maxSockets: 128 })

const gotClient = async (): Promise<ClientInstance> => {
  const agent = keepAliveAgent()
  const make = (limit: number) =>
    got.extend({
      agent: { http: agent },
      responseType: "buffer",
      retry: { limit, backoffLimit: 4 * benchBackoffMillis }
    })
  const plain = make(2)
  return {
    get: promiseCall((url) => plain.get(url)),
    retrying: (retries) => {
      const client = make(retries)
      return promiseCall((url) => client.get(url))
    },
    retryLabel: "retry: { limit, backoffLimit }",
    close: async () => agent.destroy()
  }
}

const kyClient = async (): Promise<ClientInstance> => {
  const make = (limit: number) => ky.create({ retry: { limit, backoffLimit: 4 * benchBackoffMillis } })
  const plain = make(2)
  return {
    get: promiseCall((url) => plain.get(url).arrayBuffer()),
    retrying: (retries) => {
      const client = make(retries)
      return promiseCall((url) => client.get(url).arrayBuffer())
    },
    retryLabel: "retry: { limit, backoffLimit }",
    close: async () => {}
  }
}

const axiosClient = async (): Promise<ClientInstance> => {
  const agent = keepAliveAgent()
  const make = (retries: number) => {
    const instance = axios.create({ httpAgent: agent, responseType: "arraybuffer" })
    axiosRetry(instance, {
      retries,
      retryDelay: (count, error) => exponentialDelay(count, error, benchBackoffMillis)
    })
    return instance
  }
  const plain = make(3)
  return {
    get: promiseCall((url) => plain.get(url)),
    retrying: (retries) => {
      const client = make(retries)
      return promiseCall((url) => client.get(url))
    },
    retryLabel: "axios-retry { retries, retryDelay: exponentialDelay }",
    close: async () => agent.destroy()
  }
}

const cockatielClient = async (): Promise<ClientInstance> => {
  const agent = new Undici.Agent({ connections: 128 })
  const make = (retries: number) => {
    const policy = cockatielRetry(handleWhenResult((status) => (status as number) >= 500), {
      maxAttempts: retries,
      backoff: new ExponentialBackoff({ initialDelay: benchBackoffMillis, maxDelay: 8 * benchBackoffMillis })
    })
    return promiseCall(async (url) => {
      const status = await policy.execute(async () => {
        const response = await Undici.request(url, { dispatcher: agent })
        await response.body.arrayBuffer()
        return response.statusCode
      })
      statusOk(status)
    })
  }
  return {
    get: make(3),
    retrying: make,
    retryLabel: "retry(handleWhenResult(status ≥ 500), { maxAttempts, backoff })",
    close: () => agent.close()
  }
}

const fetchClient = async (): Promise<ClientInstance> => ({
  get: promiseCall(async (url) => {
    const response = await fetch(url)
    await response.arrayBuffer()
    statusOk(response.status)
  }),
  close: async () => {}
})

/**
 * Another build of the library to compare with (before/after a change), from `BENCH_BASELINE=<dir>`:
 * a directory built with `npx tsc -p tsconfig.build.json --outDir <dir>`.
 */
const baselineDir = process.env.BENCH_BASELINE
const baseline: typeof Source | undefined = baselineDir === undefined || baselineDir === ""
  ? undefined
  : await import(pathToFileURL(path.resolve(baselineDir, "index.js")).href)

/** Every client, the reference (`undici`) first. */
export const clients: ReadonlyArray<ClientDefinition> = [
  { name: "undici", label: "raw undici request (reference)", make: rawUndici },
  { name: "ours", label: "effect-http-resilient, ResilientClientLive", make: ours({ retry: "none" }) },
  ...(baseline === undefined
    ? []
    : [{
      name: "ours-baseline",
      label: `ours, baseline build (${baselineDir})`,
      make: ours({ retry: "none", lib: baseline })
    }]),
  ...(hasRetryPolicy
    ? [
      { name: "ours+policy", label: "ours + Effect.retry(RetryPolicy.default)", make: ours({ retry: "policy" }) },
      {
        name: "ours+option",
        label: "ours, client option retry: RetryPolicy.default (no Effect.retry)",
        // throughput only: its calls already retry, so the outage and Retry-After tables leave it out
        make: async () => ({
          ...await ours({ retry: "none", options: { retry: RetryPolicy.default } })(),
          retrying: undefined
        })
      },
      {
        name: "ours+budget",
        label: "ours + RetryPolicy, circuit breaker off (the retry budget alone)",
        make: ours({ retry: "policy", options: { circuitBreaker: false } }),
        retriesOnly: true
      }
    ]
    : []),
  { name: "effect-async", label: "Effect.async over dispatcher.dispatch (floor)", make: effectAsyncFloor(false) },
  {
    name: "effect-async+retry",
    label: "the floor + Effect.retry(Schedule.recurs(3))",
    make: effectAsyncFloor(true)
  },
  { name: "platform", label: "@effect/platform NodeHttpClient.layerUndici", make: platform },
  { name: "got", label: "got", make: gotClient },
  { name: "ky", label: "ky (on Node's fetch)", make: kyClient },
  { name: "axios", label: "axios + axios-retry", make: axiosClient },
  { name: "cockatiel", label: "cockatiel retry around undici", make: cockatielClient },
  { name: "fetch", label: "Node's fetch", make: fetchClient }
]

export const clientNamed = (name: string): ClientDefinition => {
  const found = clients.find((c) => c.name === name)
  if (found === undefined) throw new Error(`unknown client ${name}; known: ${clients.map((c) => c.name).join(", ")}`)
  return found
}
