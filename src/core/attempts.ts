/**
 * The `attempts` request option, the rule both editions follow: a list of per-attempt options, the n-th entry merged
 * over the call's options for attempt n and the last one kept for the attempts after the list; each entry an object
 * of the options that apply to one attempt (a call option in an entry, or an unknown one, is named). Effect-free:
 * each edition checks an entry's values by its own rules (`checkEntry`).
 * @internal
 */
import { nearestName } from "./optionNames.js"
import { RequestValidationError } from "./requestError.js"

/**
 * The options of attempt `attemptNo` (from 1): its entry of `attempts` (the last one for later attempts) over the
 * rest; the options themselves when there is no entry.
 * @internal
 */
export const optionsForAttempt = <O extends { readonly attempts?: ReadonlyArray<Partial<O>> | undefined }>(
  options: O | undefined,
  attemptNo: number
): O | undefined => {
  const perAttempt = options?.attempts
  if (perAttempt === undefined || perAttempt.length === 0) return options
  return { ...options, ...perAttempt[Math.min(attemptNo, perAttempt.length) - 1] } as O
}

/**
 * A plain object (literal, spread or without prototype): not an array, a URL or another class's instance.
 * @internal
 */
export const isOptionsObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/**
 * Options that are not an object: `options: expected …`, or `attempts[1]: expected …` for an entry (`at` is the
 * prefix its options are named with, `""` or `attempts[1].`; `shown` the value as the edition shows it).
 * @internal
 */
export const notAnOptionsObject = (at: string, shown: string): RequestValidationError =>
  new RequestValidationError(
    "InvalidOption",
    `${at === "" ? "options" : at.slice(0, -1)}: expected an object of request options, got ${shown}`
  )

/**
 * An option `fields` does not know, at `at`: one of the call (`isCallOption`) or `attempts` itself set in an entry is
 * told to go beside `attempts`; another is unknown, with the nearest known name when it looks misspelt.
 * @internal
 */
export const unknownOption = (
  at: string,
  key: string,
  known: ReadonlyArray<string>,
  isCallOption: (key: string) => boolean
): RequestValidationError => {
  if ((at !== "" && isCallOption(key)) || key === "attempts") {
    return new RequestValidationError(
      "InvalidOption",
      `${at}${key}: applies to the whole call, not to one attempt; set it beside "attempts"`
    )
  }
  const suggestion = nearestName(key, known)
  return new RequestValidationError(
    "InvalidOption",
    `${at}${JSON.stringify(key)}: unknown option${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`
  )
}

/**
 * Checks the `attempts` option (`at`: the prefix of the options it is in, `""` for a call's): a list, each entry
 * checked by `checkEntry` with its own prefix (`attempts[1].`). The first problem, or `undefined`.
 * @internal
 */
export const checkAttempts = (
  value: unknown,
  at: string,
  shown: (u: unknown) => string,
  checkEntry: (entry: unknown, at: string) => RequestValidationError | undefined
): RequestValidationError | undefined => {
  if (!Array.isArray(value)) {
    return new RequestValidationError(
      "InvalidOption",
      `${at}attempts: expected a list of per-attempt options, got ${shown(value)}`
    )
  }
  for (let i = 0; i < value.length; i++) {
    const error = checkEntry(value[i], `${at}attempts[${i}].`)
    if (error !== undefined) return error
  }
  return undefined
}
