/**
 * Prints a client's events as a readable timeline: time since the scenario began, attempt, what happened, and why.
 */
import { Duration, Effect, Queue } from "effect"
import type { Scope } from "effect"
import { ResilientClient, type ResilientEvent } from "../../src/index.js"
import { bold, cyan, dim, green, magenta, red, yellow } from "./style.js"

const path = (url: string) => {
  try {
    const u = new URL(url)
    return u.pathname + u.search
  } catch {
    return url
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

export const describeEvent = (event: ResilientEvent.ResilientEvent): string => {
  switch (event._tag) {
    case "RequestStarted":
      return `${cyan(`attempt ${event.attempt}`)}  ${event.method} ${path(event.url)}`
    case "Succeeded":
      return `${green(`← ${event.status}`)}  in ${Duration.format(event.duration)}`
    case "AttemptFailed":
      return `${red(`← ${event.error._tag === "StatusError" ? event.error.status : event.error._tag}`)}${
        event.error._tag === "StatusError" && event.error.retryAfter._tag === "Some"
          ? dim(`  (Retry-After ${Duration.format(event.error.retryAfter.value)})`)
          : ""
      }`
    case "RetryScheduled":
      return `${yellow(`↻ retry in ${Math.round(Duration.toMillis(event.delay))} ms`)}  ${
        dim(`because: ${event.reason}`)
      }`
    case "Failed":
      return `${red(bold(`✗ gave up`))}  ${dim(`(${event.reason}: ${event.error._tag})`)}`
    case "CircuitStateChanged":
      return `${magenta(`⚡ breaker ${event.from} → ${event.to}`)}  ${dim(event.origin)}`
    case "RetryBudgetExhausted":
      return `${magenta("⛔ retry budget empty")}  ${dim("no retry, the outage is not amplified")}`
  }
}

/**
 * Subscribes to the client's events and prints them until the scope closes.
 * `filter` picks the events worth showing.
 */
export const printTimeline = (
  start: number,
  filter: (event: ResilientEvent.ResilientEvent) => boolean = () => true
): Effect.Effect<void, never, ResilientClient.ResilientClient | Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* ResilientClient.subscribe
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.flatMap(Queue.take(queue), (event) =>
          Effect.sync(() => {
            if (!filter(event)) return
            const t = dim(pad(`+${Math.round(performance.now() - start)} ms`, 10))
            console.log(`    ${t} ${describeEvent(event)}`)
          }))
      )
    )
  })
