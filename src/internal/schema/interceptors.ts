/**
 * The client option `interceptors`, checked: each interceptor has a name and at least one of its two functions.
 * @internal
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Interceptor } from "../interceptor.js"
import { showValue } from "../optionValue.js"

/** What an interceptor at `interceptors[i]` is not, or undefined. */
const interceptorProblem = (x: Partial<Interceptor> | null, at: string): string | undefined => {
  if (x === null || typeof x !== "object" || typeof x.name !== "string" || x.name === "") {
    return `${at}: expected { name, onRequest?, onResponse? }`
  }
  for (const key of ["onRequest", "onResponse"] as const) {
    if (x[key] !== undefined && typeof x[key] !== "function") return `${at} (${x.name}): ${key} is not a function`
  }
  return x.onRequest === undefined && x.onResponse === undefined
    ? `${at} (${x.name}): has neither onRequest nor onResponse`
    : undefined
}

/**
 * A list of interceptors, each `{ name, onRequest?, onResponse? }` with at least one of the two functions.
 * @internal
 */
export const interceptorsInput: Schema.Schema<ReadonlyArray<Interceptor>> = Schema.declare([], {
  decode: () => (input, _options, ast) => {
    if (!Array.isArray(input)) {
      return ParseResult.fail(
        new ParseResult.Type(ast, input, `interceptors: expected a list of interceptors, got ${showValue(input)}`)
      )
    }
    for (let i = 0; i < input.length; i++) {
      const problem = interceptorProblem(input[i], `interceptors[${i}]`)
      if (problem !== undefined) {
        return ParseResult.fail(new ParseResult.Pointer(i, input, new ParseResult.Type(ast, input[i], problem)))
      }
    }
    return ParseResult.succeed(input as ReadonlyArray<Interceptor>)
  },
  encode: () => (input) => ParseResult.succeed(input as ReadonlyArray<Interceptor>)
}) as unknown as Schema.Schema<ReadonlyArray<Interceptor>>
