/**
 * The one place that touches the network in the v4 edition: the core's undici exchange (src/core/exchange.ts) run
 * as a v4 `Effect.callback`; interrupting the fiber aborts the socket. The attempt timeout is the exchange's own
 * timer (`timeoutMillis`, on real time, as the root entry's), which the send stage uses when the fiber's clock is
 * the real one; under another clock (a `TestClock`) it passes no timeout and runs `send` under an Effect timeout.
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import {
  BufferedExchange,
  type ExchangeRequest,
  type InFlight,
  type RawResponse,
  type UndiciBody
} from "../../../src/core/exchange.js"
import { closeGracefully, newAgent, type TlsOptions } from "../../../src/core/pool.js"
import type { TransportFailure } from "../../../src/core/transportFailure.js"

/**
 * A request as a transport takes it: URL parsed, headers lower-case (body headers set), the body in memory.
 * @internal
 */
export interface TransportRequest extends ExchangeRequest {
  readonly body: string | Uint8Array | null
}

/**
 * A transport: one buffered exchange per call.
 * @internal
 */
export interface Transport {
  readonly send: (request: TransportRequest) => Effect.Effect<RawResponse, TransportFailure>
  /**
   * The transport ends a request with a `Timeout` failure once its `timeoutMillis` of real time have passed; without
   * it, the send stage runs `send` under an Effect timeout (on the fiber's clock).
   */
  readonly timesOut?: boolean | undefined
}

/** The largest delay `setTimeout` takes. */
const maxTimeout = 2_147_483_647

const onTimeout = (exchange: Exchange) => exchange.timeout()

class Exchange extends BufferedExchange<TransportRequest> {
  resume: (effect: Effect.Effect<RawResponse, TransportFailure>) => void = () => {}
  private timer: ReturnType<typeof setTimeout> | undefined = undefined
  protected startTimer(): void {
    const millis = this.request.timeoutMillis
    if (Number.isFinite(millis)) this.timer = setTimeout(onTimeout, Math.max(0, Math.min(millis, maxTimeout)), this)
  }
  protected stopTimer(): void {
    if (this.timer === undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
  }
  protected succeed(response: RawResponse): void {
    this.resume(Effect.succeed(response))
  }
  protected fail(failure: TransportFailure): void {
    this.resume(Effect.fail(failure))
  }
}

/**
 * The client's own undici pool, closed (gracefully, up to `graceMillis`) with the scope.
 * @internal
 */
export const undici = (
  settings: {
    readonly connections: number
    readonly graceMillis: number
    readonly tls?: TlsOptions | undefined
  }
): Effect.Effect<Transport, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => ({
        agent: newAgent({ connections: settings.connections, keepAliveMillis: 4_000, connect: { ...settings.tls } }),
        inFlight: { count: 0 } as InFlight
      })),
      ({ agent, inFlight }) => Effect.promise(() => closeGracefully(agent, settings.graceMillis, inFlight))
    ),
    ({ agent, inFlight }): Transport => ({
      timesOut: true,
      send: (request) =>
        Effect.callback<RawResponse, TransportFailure>((resume) => {
          const exchange = new Exchange(request, agent, request.body as UndiciBody, inFlight)
          exchange.resume = resume
          exchange.start()
          return Effect.sync(() => exchange.interrupt())
        })
    })
  )
