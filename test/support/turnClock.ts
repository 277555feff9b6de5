/**
 * A `TestClock` for tests that drive thousands of simulated calls through virtual time.
 *
 * Effect's `TestClock` runs the sleeps due in an `adjust` one at a time and, before each, waits for the test's fibers
 * to settle with three 1 ms timers (`setTimeout(0)`), plus a warning fiber on the live clock; a test with a few
 * thousand sleeps spends most of its time idle in those timers. This clock keeps the same contract and the same order
 * (the due sleeps one by one, the earliest first and, at the same instant, the last one registered first; the
 * fibers settle before each), but lets them settle with three turns of the event loop (`setImmediate`), after all
 * pending microtasks, where Effect runs its fibers (the test body runs on a scheduler that never defers a fiber to a
 * timer, so a turn cannot pass a fiber's pending work). A sleep whose fiber is interrupted leaves the queue (Effect's
 * `TestClock` keeps it until its instant, when waking it does nothing).
 *
 * `TestClock.adjust`, `TestClock.setTime` and `TestClock.sleeps` reach it as they reach Effect's: it is the fiber's
 * clock. Wrap the whole test, layers included: `effect.pipe(Effect.provide(layer), withTurnClock)`.
 *
 * Only for tests whose work all runs on Effect's fibers (the scripted transport, `HttpResilientTest`): a turn does
 * not wait for a real timer or a socket, where Effect's 1 ms timers sometimes happen to.
 */
import { Chunk, Clock, Deferred, Duration, Effect, FiberId, Scheduler, type TestClock } from "effect"

/** The event loop's next turn: every pending microtask (every runnable fiber step) has run before it. */
const turn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** As often as Effect's `TestClock` yields to the other fibers before running a sleep. */
const settle = Effect.zipRight(turn, Effect.zipRight(turn, turn))

interface Sleeper {
  readonly at: number
  readonly wake: Deferred.Deferred<void>
}

class TurnClock implements TestClock.TestClock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  private instant = 0
  /** In the order registered. */
  private sleepers: Array<Sleeper> = []

  unsafeCurrentTimeMillis(): number {
    return this.instant
  }
  unsafeCurrentTimeNanos(): bigint {
    return BigInt(this.instant) * 1_000_000n
  }
  readonly currentTimeMillis = Effect.sync(() => this.instant)
  readonly currentTimeNanos = Effect.sync(() => this.unsafeCurrentTimeNanos())

  sleep(duration: Duration.DurationInput): Effect.Effect<void> {
    return Effect.suspend(() => {
      const at = this.instant + Duration.toMillis(Duration.decode(duration))
      if (!(at > this.instant)) return Effect.void
      const sleeper: Sleeper = { at, wake: Deferred.unsafeMake<void>(FiberId.none) }
      this.sleepers.push(sleeper)
      return Effect.onInterrupt(Deferred.await(sleeper.wake), () =>
        Effect.sync(() => {
          const i = this.sleepers.indexOf(sleeper)
          if (i >= 0) this.sleepers.splice(i, 1)
        }))
    })
  }

  adjust(duration: Duration.DurationInput): Effect.Effect<void> {
    return Effect.suspend(() => this.run(this.instant + Duration.toMillis(Duration.decode(duration))))
  }

  adjustWith(duration: Duration.DurationInput) {
    return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.zipLeft(effect, this.adjust(duration), { concurrent: true })
  }

  setTime(time: number): Effect.Effect<void> {
    return this.run(time)
  }

  readonly save: Effect.Effect<Effect.Effect<void>> = Effect.sync(() => {
    const instant = this.instant
    const sleepers = [...this.sleepers]
    return Effect.sync(() => {
      this.instant = instant
      this.sleepers = sleepers
    })
  })

  readonly sleeps: Effect.Effect<Chunk.Chunk<number>> = Effect.sync(() =>
    Chunk.fromIterable(this.sleepers.map((s) => s.at).sort((a, b) => a - b))
  )

  /** Runs the sleeps due by `end` one by one, the fibers settled before each, then sets the clock to `end`. */
  private run(end: number): Effect.Effect<void> {
    return Effect.flatMap(settle, () => {
      let next = -1
      for (let i = 0; i < this.sleepers.length; i++) {
        // the earliest; at the same instant the last registered (Effect's TestClock keeps its sleeps newest first
        // and sorts them stably)
        if (next < 0 || this.sleepers[i].at <= this.sleepers[next].at) next = i
      }
      if (next < 0 || this.sleepers[next].at > end) {
        this.instant = end
        return Effect.void
      }
      const [sleeper] = this.sleepers.splice(next, 1)
      this.instant = sleeper.at
      return Effect.zipRight(
        Deferred.succeed(sleeper.wake, undefined),
        Effect.zipRight(Effect.yieldNow(), this.run(end))
      )
    })
  }
}

/**
 * Runs `effect` (with its layers, when they are provided inside) on a fresh `TurnClock` at instant 0, its fibers on
 * a scheduler that runs them on microtasks only (Effect's default moves a fiber to a timer after 2,048 microtask
 * rounds in a row).
 */
export const withTurnClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() =>
    effect.pipe(
      Effect.withClock(new TurnClock()),
      Effect.withScheduler(new Scheduler.MixedScheduler(Number.POSITIVE_INFINITY))
    )
  )
