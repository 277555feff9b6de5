/**
 * `acceptStatus` (the client's and a request's): what it is, what it must be, and how a status is checked against it.
 * @internal
 */

/**
 * Statuses the client accepts: a predicate, or a list of statuses and inclusive `[from, to]` ranges.
 * @internal
 */
export type AcceptStatus = ((status: number) => boolean) | ReadonlyArray<number | readonly [number, number]>

const isStatus = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 100 && x <= 599

/**
 * Whether `u` is an `acceptStatus` (the client's or a request's), and what one must be.
 * @internal
 */
export const isAcceptStatus = (u: unknown): u is AcceptStatus =>
  typeof u === "function" ||
  (Array.isArray(u) && u.length > 0 &&
    u.every((x) => isStatus(x) || (Array.isArray(x) && x.length === 2 && x.every(isStatus) && x[0] <= x[1])))

/** @internal */
export const acceptStatusExpected = "a predicate or a non-empty list of statuses (100–599) and [from, to] ranges"

/**
 * Whether a request's own `acceptStatus` (validated) accepts `status`, without building a table for one response.
 * @internal
 */
export const acceptsStatus = (accept: AcceptStatus, status: number): boolean => {
  if (typeof accept === "function") return accept(status)
  for (const entry of accept) {
    if (typeof entry === "number" ? entry === status : entry[0] <= status && status <= entry[1]) return true
  }
  return false
}

/**
 * The client's `acceptStatus` as a check made once: a table for a list, the default 200–399 when unset.
 * @internal
 */
export const toAcceptStatus = (input: AcceptStatus | undefined): (status: number) => boolean => {
  if (input === undefined) return (status) => status >= 200 && status < 400
  if (typeof input === "function") return input
  const table = new Uint8Array(600)
  for (const entry of input) {
    if (typeof entry === "number") table[entry] = 1
    else for (let s = entry[0]; s <= entry[1]; s++) table[s] = 1
  }
  return (status) => status >= 0 && status < 600 && table[status] === 1
}
