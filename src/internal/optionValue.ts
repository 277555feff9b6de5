/** @internal */
import * as Duration from "effect/Duration"
import { nearestName } from "../core/optionNames.js"

export { nearestName }

/**
 * An option's value as an error message shows it: strings quoted, numbers as written (NaN, Infinity too),
 * functions named as such (never their source), a `Duration` as `Duration.format` writes it, anything else as
 * JSON when it has a JSON form.
 * @internal
 */
export const showValue = (u: unknown): string => {
  if (typeof u === "function") return "a function"
  if (Duration.isDuration(u)) return Duration.format(u)
  if (typeof u === "string") return JSON.stringify(u)
  if (typeof u === "bigint") return `${u}n`
  if (typeof u === "number" || typeof u === "boolean" || u === null || u === undefined) return String(u)
  const kind = typeof u === "object" ? classOf(u) : undefined
  if (kind === "Promise") return "a Promise"
  try {
    const json = JSON.stringify(u)
    // a Map, a Set, a Headers … has no JSON form of its own: `{}` would hide what it is
    if (json === "{}" && kind !== undefined) return withArticle(kind)
    return json ?? String(u)
  } catch {
    return String(u)
  }
}

/**
 * The class of an object that is neither a plain object nor an array (`Promise` for any thenable, `Map`, `Headers`
 * …), or undefined. A class name, never the object's contents.
 * @internal
 */
export const classOf = (u: object): string | undefined => {
  if (Array.isArray(u)) return undefined
  if (typeof (u as { then?: unknown }).then === "function") return "Promise"
  const proto: unknown = Object.getPrototypeOf(u)
  if (proto === null || proto === Object.prototype) return undefined
  const name: unknown = (proto as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === "string" && name !== "" && name !== "Object" ? name : undefined
}

/**
 * `a Map`, `an object`.
 * @internal
 */
export const withArticle = (noun: string): string => `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`

/**
 * The keys of an options object that are not among `known`, in their order.
 * @internal
 */
export const unknownKeys = (options: object, known: ReadonlyArray<string>): Array<string> =>
  Object.keys(options).filter((key) => !known.includes(key))

/**
 * The message for the options of `options` not among `known` (`fn: unknown option "x" (known: …)`), or undefined
 * when there are none.
 * @internal
 */
export const unknownOptionsMessage = (
  fn: string,
  options: object,
  known: ReadonlyArray<string>
): string | undefined => {
  const unknown = unknownKeys(options, known)
  return unknown.length === 0 ? undefined : unknownNamesMessage(fn, unknown, known)
}

/**
 * The message for the options `unknown` (not empty) of `fn`: `fn: unknown option "x" (known: …)`.
 * @internal
 */
export const unknownNamesMessage = (fn: string, unknown: ReadonlyArray<string>, known: ReadonlyArray<string>): string =>
  `${fn}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((key) => `"${key}"`).join(", ")} (${
    knownOptions(unknown[0], known)
  })`

/**
 * What an unknown option is reported with: the known names, and the closest one when it looks like a misspelling.
 * @internal
 */
export const knownOptions = (key: string, known: ReadonlyArray<string>): string => {
  const suggestion = nearestName(key, known)
  return `known: ${known.join(", ")}${suggestion === undefined ? "" : `; did you mean "${suggestion}"?`}`
}
