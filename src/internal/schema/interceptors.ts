/**
 * The client option `interceptors`, checked: each interceptor has a name and at least one of its two functions.
 * @internal
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { interceptorProblem } from "../../core/interceptors.js"
import type { Interceptor } from "../interceptor.js"
import { showValue } from "../optionValue.js"

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
