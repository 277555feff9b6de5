/**
 * The hedging option as given and as checked; apart from `hedge.ts` so the option's Schema (`schema/protections.ts`)
 * and the hedger do not import each other.
 * @internal
 */
import type * as Duration from "effect/Duration"

/** @internal */
export interface HedgeOptions {
  readonly delay: Duration.DurationInput
  readonly maxHedges?: number | undefined
}

/** @internal */
export interface HedgeSettings {
  readonly delay: Duration.Duration
  readonly maxHedges: number
}
