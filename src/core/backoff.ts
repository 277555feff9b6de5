/**
 * The arithmetic of the random backoffs and of `upTo`, shared by both editions (the Effect faces draw the random
 * number from their `Random` service and step their own `Schedule`s). No `effect` import here.
 * @internal
 */

/**
 * The delay of a uniform draw from `[min, max]` milliseconds when that range holds at most one whole number (so
 * no draw is needed): that number, or `min` when there is none; `undefined` when a draw is needed.
 * @internal
 */
export const fixedUniformMillis = (min: number, max: number): number | undefined => {
  const lo = Math.ceil(min)
  const hi = Math.floor(max)
  return hi > lo ? undefined : hi === lo ? lo : min
}

/**
 * The whole number of milliseconds that a random `r` in `[0, 1)` picks, uniformly, from `[min, max]` (bounds
 * rounded inwards). Only when {@link fixedUniformMillis} is `undefined`.
 * @internal
 */
export const pickUniformMillis = (min: number, max: number, r: number): number => {
  const lo = Math.ceil(min)
  const hi = Math.floor(max)
  return Math.min(hi, lo + Math.floor(r * (hi - lo + 1)))
}

/**
 * AWS's decorrelated jitter: the range the next delay is drawn from, after `previous` (the first time `previous`
 * is `base`); the drawn delay is then capped at `max`.
 * @internal
 */
export const decorrelatedRange = (base: number, previous: number): readonly [min: number, max: number] => [
  base,
  Math.max(base, previous * 3)
]

/**
 * `Backoff.upTo`'s rule: whether a sleep of `delay` starting `now` would end more than `total` after `first` (the
 * schedule's first recurrence); then the schedule stops rather than sleep.
 * @internal
 */
export const endsPastTotal = (first: number, now: number, delay: number, total: number): boolean =>
  now + delay - first > total
