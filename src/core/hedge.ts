/**
 * Hedging's rules, for both editions: which requests may be hedged (what every attempt inside a hedge tells its
 * gate), the bookkeeping of one hedged race (copies running, the earliest failure, when to send another), the
 * option bounds, and the hedge timer that decides after the I/O already waiting is read. Plain TypeScript: the
 * editions run the copies as fibers.
 * @internal
 */
import * as Replay from "./replay.js"
import { redactUrl, type Secrets } from "./secrets.js"

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
 * What the events of a hedge (`RetryScheduled` reason "hedge", `RetryBudgetExhausted`) say of its request: the
 * first request the gate saw, its URL redacted.
 * @internal
 */
export const hedgeEventInfo = (gate: HedgeGate, attempt: number, timestamp: number) => ({
  method: gate.method,
  url: redactUrl(gate.url!, gate.secrets),
  attempt,
  timestamp,
  tag: gate.tag
})

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
 * One hedged race, driven here for both editions: the first copy at once; while no copy has answered, another every
 * `delay` (the timer an edition's `schedule` gives), up to `maxHedges` more, each only while every request seen may
 * be repeated and once `payForCopy` has paid for it; the first success wins and the other copies are interrupted;
 * a copy that fails does not end the race while another runs; when all have failed, the race ends with the earliest
 * real failure (an interruption stands in for one only until there is one). `X` is an edition's exit; the edition
 * runs the copies (`launchCopy`, whose end it reports to `ended`) and ends the hedged effect (`finish`).
 * @internal
 */
export abstract class HedgeRace<X> {
  private running = 0
  private hedges = 0
  settled = false
  private firstFailure: X | undefined = undefined
  private cancelTimer: (() => void) | undefined = undefined

  constructor(readonly maxHedges: number, readonly gate: HedgeGate) {}

  /** Starts a copy; its end is reported to `ended`. */
  protected abstract launchCopy(): void
  /** Interrupts the copies still running (the race has ended). */
  protected abstract interruptCopies(): void
  /** Runs `f` after the hedge delay; returns a function that cancels it. */
  protected abstract schedule(f: () => void): () => void
  /** Pays for one more copy (the retry budget), telling listeners; false when it may not be sent. */
  protected abstract payForCopy(): boolean
  /** Ends the hedged effect with `exit`. */
  protected abstract finish(exit: X): void
  protected abstract isSuccess(exit: X): boolean
  protected abstract isInterruption(exit: X): boolean

  /** Starts the race: the first copy, and the timer for the next. */
  begin(): void {
    this.launch()
    if (!this.settled) this.cancelTimer = this.schedule(this.onTimer)
  }

  /** A copy ended with `exit`. */
  ended(exit: X): void {
    this.running--
    if (this.isSuccess(exit)) return this.settle(exit)
    const first = this.firstFailure
    if (first === undefined || (this.isInterruption(first) && !this.isInterruption(exit))) this.firstFailure = exit
    if (this.running === 0) this.settle(this.firstFailure!)
  }

  /** The hedged effect was interrupted from outside: no more copies, no timer. */
  stop(): void {
    this.settled = true
    this.cancelTimer?.()
  }

  private launch(): void {
    this.running++
    this.launchCopy()
  }

  private settle(exit: X): void {
    if (this.settled) return
    this.settled = true
    this.cancelTimer?.()
    this.interruptCopies()
    this.finish(exit)
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined
    const gate = this.gate
    if (this.settled || gate.state !== 1 || gate.url === undefined || !this.payForCopy()) return
    this.hedges++
    this.launch()
    if (this.hedges < this.maxHedges && !this.settled) this.cancelTimer = this.schedule(this.onTimer)
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
