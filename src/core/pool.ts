/**
 * Closing the client's own undici pool: requests under way may finish within a grace period, the rest is
 * destroyed. Effect-free.
 * @internal
 */
import type * as Undici from "undici"
import type { InFlight } from "./exchange.js"

/** Whether undici still holds requests; a dispatcher that keeps no `stats` (a proxy agent) is taken as busy. */
const busy = (agent: Undici.Dispatcher): boolean => {
  const stats = (agent as Partial<Undici.Agent>).stats
  if (stats === undefined) return true
  for (const pool of Object.values(stats)) if (pool.size > 0) return true
  return false
}

/**
 * Lets the transport's requests under way finish for up to `graceMillis`, then destroys whatever is left (undici's
 * `destroy` after `close` would wait for them instead); what undici still holds after the last of ours ended (an
 * abandoned request queued behind a connection attempt that hangs) is destroyed at once. Real time on purpose:
 * this is about sockets, at shutdown, not about the program's logic, so a test's virtual clock must not stall it.
 * @internal
 */
export const closeGracefully = async (
  agent: Undici.Dispatcher,
  graceMillis: number,
  inFlight: InFlight
): Promise<void> => {
  const until = performance.now() + graceMillis
  while (inFlight.count > 0 && performance.now() < until) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(10, Math.max(1, until - performance.now()))))
  }
  if (inFlight.count > 0 || busy(agent)) await agent.destroy()
  else await agent.close()
}
