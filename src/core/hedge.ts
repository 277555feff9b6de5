/**
 * Hedging's rules, for both editions: which requests may be hedged (what every attempt inside a hedge tells its
 * gate), the bookkeeping of one hedged race (copies running, the earliest failure, when to send another), the
 * option bounds, and the hedge timer that decides after the I/O already waiting is read. Plain TypeScript: the
 * editions run the copies as fibers.
 * @internal
 */
import * as Replay from "./replay.js"
import type { Secrets } from "./secrets.js"

/**
 * The bounds and default of the `hedge` options: `maxHedges` from 1 to 16 (default 1), `delay` at least 1 ms.
 * @internal
 */
export const hedgeLimits = { maxHedges: 16, defaultMaxHedges: 1, minDelayMillis: 1 } as const

/**
 * What a hedged call learns about its requests: each attempt inside reports whether it may be sent twice.
 * @internal
 */
export interface HedgeGate {
  /** 0: no request seen yet, 1: every request seen may be repeated, 2: one may not */
  state: 0 | 1 | 2
  method: string
  url: URL | undefined
  /** the client's rule for secret names, to show `url` */
  secrets: Secrets | undefined
  tag: string | undefined
  /** the generated `Idempotency-Key` of each call (by its options object) inside, shared by all copies */
  keys: Map<object, string> | undefined
}

/**
 * A gate that has seen no request.
 * @internal
 */
export const newGate = (): HedgeGate => ({
  state: 0,
  method: "",
  url: undefined,
  secrets: undefined,
  tag: undefined,
  keys: undefined
})

/**
 * Whether a request may be sent more than once at the same time: an idempotent method, or POST/PATCH with an
 * Idempotency-Key (`keyed`), and a body that can be sent again (`replayable`).
 * @internal
 */
export const mayHedge = (method: string, keyed: boolean, replayable: boolean): boolean =>
  replayable && Replay.mayRepeat(method, keyed)

/**
 * An attempt inside the hedge `gate` tells it what it sends: one request that may not be repeated keeps the
 * whole hedged effect to one copy; the first request is the one events show.
 * @internal
 */
export const observeRequest = (
  gate: HedgeGate,
  repeatable: boolean,
  method: string,
  url: URL,
  secrets: Secrets | undefined,
  tag: string | undefined
): void => {
  if (!repeatable) gate.state = 2
  else if (gate.state === 0) gate.state = 1
  if (gate.url === undefined) {
    gate.method = method
    gate.url = url
    gate.secrets = secrets
    gate.tag = tag
  }
}

/**
 * The generated `Idempotency-Key` of the call with `options` inside the hedge `gate`: the first copy generates it,
 * the others send the same one (else each copy would be a different request to the server).
 * @internal
 */
export const sharedKey = (gate: HedgeGate, options: object, generate: () => string): string => {
  const keys = gate.keys ??= new Map()
  let key = keys.get(options)
  if (key === undefined) {
    key = generate()
    keys.set(options, key)
  }
  return key
}

/**
 * One hedged race: the copies running, the hedges sent, whether it has ended, and the failure it ends with when
 * every copy fails (the earliest real failure; an interruption stands in for one only until there is one). `F` is
 * an edition's exit.
 * @internal
 */
export class HedgeRace<F> {
  running = 0
  hedges = 0
  settled = false
  private firstFailure: F | undefined = undefined

  constructor(
    readonly maxHedges: number,
    private readonly interrupted: (failure: F) => boolean
  ) {}

  /** Ends the race; false when it had ended already. */
  settle(): boolean {
    if (this.settled) return false
    this.settled = true
    return true
  }

  /** A copy ended in success: the race's answer (when it has not ended). */
  succeeded(): void {
    this.running--
  }

  /** A copy failed with `failure`: the race's failure when no copy is left running, else `undefined`. */
  failed(failure: F): F | undefined {
    this.running--
    const first = this.firstFailure
    if (first === undefined || (this.interrupted(first) && !this.interrupted(failure))) this.firstFailure = failure
    return this.running === 0 ? this.firstFailure : undefined
  }

  /** The timer fired: whether to send another copy (the race runs and every request seen may be repeated). */
  mayHedge(gate: HedgeGate): boolean {
    return !this.settled && gate.state === 1 && gate.url !== undefined
  }

  /** A hedge is sent: whether the timer is armed again for another. */
  hedged(): boolean {
    this.hedges++
    return this.hedges < this.maxHedges
  }
}

const MAX_TIMEOUT = 2_147_483_647

/**
 * Runs `f` after `millis` of real time and two more turns of the event loop (two `setImmediate`s): a busy event
 * loop runs expired timers before it polls for I/O, so a plain timer fires although the answer it waits for has
 * arrived; reading that answer and completing the call it belongs to takes the loop up to two more turns
 * (measured: test/Hedge.test.ts, "an answer that arrived while the event loop was busy"). Returns a function that
 * cancels it.
 * @internal
 */
export const afterIo = (millis: number, f: () => void): () => void => {
  let immediate: ReturnType<typeof setImmediate> | undefined
  const timer = setTimeout(() => {
    immediate = setImmediate(() => {
      immediate = setImmediate(f)
    })
  }, Math.max(0, Math.min(millis, MAX_TIMEOUT)))
  return () => {
    clearTimeout(timer)
    if (immediate !== undefined) clearImmediate(immediate)
  }
}
