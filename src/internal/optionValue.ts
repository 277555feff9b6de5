/** @internal */

/**
 * An option's value as an error message shows it: strings quoted, numbers as written (NaN, Infinity too),
 * functions named as such (never their source), anything else as JSON when it has a JSON form.
 * @internal
 */
export const showValue = (u: unknown): string => {
  if (typeof u === "function") return "a function"
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "bigint") return `${u}n`
  if (typeof u === "number" || typeof u === "boolean" || u === null || u === undefined) return String(u)
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}
