/**
 * The default client of this checkout's source over a transport that answers every request at once
 * (`bench/instantTransport.ts`). Used by `bench/instructions-in-memory-worker.ts`, `bench/hops-worker.ts` and
 * `test/RetryPolicy.bench.ts`.
 */
import type * as ConfigError from "effect/ConfigError"
import type * as Layer from "effect/Layer"
import * as Source from "../src/index.js"
import { instantClientOf } from "./instantTransport.js"

/** The default client over the instant transport. */
export const instantClient: Layer.Layer<Source.ResilientClient.ResilientClient, ConfigError.ConfigError> =
  instantClientOf(Source)
