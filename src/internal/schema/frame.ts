/**
 * How a broken rule (rules.ts) is reported, and the Schemas option objects are checked by. The rule says what a
 * value must be; a `Frame` says how the caller reports it: a layer as `bulkhead.maxConcurrent: 0 is not an integer
 * ≥ 1`, the environment naming its variable, a constructor in its own words (`Backoff.exponential: option "base"
 * must be …`). One Schema per concept's options (`optionsSchema`), built for a frame, serves all of them.
 * @internal
 */
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Reader } from "../../core/configEnv.js"
import { knownOptions, showValue, unknownKeys, unknownNamesMessage } from "../optionValue.js"
import { isObject, type Rule } from "./rules.js"

/**
 * Where an option is: `["bulkhead", "maxConcurrent"]`, or `[]` for the options a constructor was given.
 * @internal
 */
export type Path = ReadonlyArray<string>

/**
 * How the environment reads an option (see configEnv.ts); an option without one is not read from it.
 * @internal
 */
export type { Reader } from "../../core/configEnv.js"

/**
 * One option of an options object: its rule, and how the environment reads it, if it does.
 * @internal
 */
export interface Field {
  readonly rule: Rule
  readonly env?: Reader | undefined
  /** the option must be given (a backoff's `base`); others may be left out for their defaults */
  readonly required?: boolean | undefined
}

/**
 * A problem found in an options object, at `key` inside it (undefined: the object itself). A `shape` problem is
 * about what the object is (not an object, an unknown option), not about a value.
 * @internal
 */
export interface Problem {
  readonly key: string | undefined
  readonly message: string
  readonly shape?: boolean | undefined
}

/**
 * How a caller reports problems with its options.
 * @internal
 */
export interface Frame {
  /** `value`, at `path`, breaks `rule` */
  readonly invalid: (path: Path, value: unknown, rule: Rule) => string
  /** another problem at `path`; `label` names what the message is about when that is not `path` (a group) */
  readonly problem: (path: Path, text: string, label?: Path) => string
  /** the options `keys` of the object at `path` are not among `known` */
  readonly unknown: (path: Path, keys: ReadonlyArray<string>, known: ReadonlyArray<string>) => ReadonlyArray<Problem>
  /** where a layer's `ConfigError` points for the option at `path` (default: `path`) */
  readonly at?: ((path: Path) => Path) | undefined
}

/**
 * `value` as a frame shows it: by the rule's own `show`, else `showValue`.
 * @internal
 */
export const shown = (value: unknown, rule: Rule): string => (rule.show ?? showValue)(value)

/**
 * How a layer reports (and the request options, and what a constructor's `ConfigError` says):
 * `bulkhead.maxConcurrent: 0 is not an integer ≥ 1`, with the rule's example, one problem per unknown option.
 * @internal
 */
export const layerFrame: Frame = {
  invalid: (path, value, rule) =>
    `${path.join(".")}: ${shown(value, rule)} is not ${rule.expected}${
      rule.example === undefined ? "" : ` (e.g. ${rule.example})`
    }`,
  problem: (path, text, label = path) => `${label.join(".")}: ${text}`,
  unknown: (path, keys, known) =>
    keys.map((key) => ({
      key,
      message: `${[...path, key].join(".")}: unknown option (${knownOptions(key, known)})`,
      shape: true
    }))
}

/**
 * A Schema of one option's value at `path`: fails with `frame`'s message for `rule`.
 * @internal
 */
export const ruleSchema = <A>(path: Path, rule: Rule, frame: Frame = layerFrame): Schema.Schema<A> =>
  Schema.declare((u: unknown): u is A => rule.is(u), { message: (issue) => frame.invalid(path, issue.actual, rule) })

/**
 * The options of one concept (a circuit breaker's, a bulkhead's, a backoff's …): each a `Field`, what the options
 * object is for a value that is none, values taken as they are (`false`, a strategy), and checks across options.
 * @internal
 */
export interface OptionsSpec {
  readonly fields: Readonly<Record<string, Field>>
  /** what the options are, said of a value that is no object: `false or { maxConcurrent, maxQueue, queueTimeout }` */
  readonly expected: string
  /** whether the options object itself must be given (a constructor's); otherwise undefined means the defaults */
  readonly required?: boolean | undefined
  /** values accepted as they are, unchecked */
  readonly pass?: ((u: unknown) => boolean) | undefined
  /** checks across options, run after each option's own (also when one failed) */
  readonly check?: ((options: Record<string, unknown>, path: Path, frame: Frame) => ReadonlyArray<Problem>) | undefined
}

/**
 * The problems of `input` as the options of `spec` at `path` (undefined passes unless `spec.required`: the
 * defaults apply).
 * @internal
 */
export const problemsOf = (spec: OptionsSpec, path: Path, frame: Frame, input: unknown): ReadonlyArray<Problem> => {
  if ((input === undefined && spec.required !== true) || spec.pass?.(input) === true) return []
  if (!isObject(input)) {
    return [{
      key: undefined,
      message: frame.invalid(path, input, { is: isObject, expected: spec.expected }),
      shape: true
    }]
  }
  const known = Object.keys(spec.fields)
  const unknown = unknownKeys(input, known)
  const problems: Array<Problem> = unknown.length === 0 ? [] : [...frame.unknown(path, unknown, known)]
  for (const key of known) {
    const value = input[key]
    const { required, rule } = spec.fields[key]
    if ((value !== undefined || required === true) && !rule.is(value)) {
      problems.push({ key, message: frame.invalid([...path, key], value, rule) })
    }
  }
  if (spec.check !== undefined) problems.push(...spec.check(input, path, frame))
  return problems
}

const toIssue = (ast: Schema.Schema.Any["ast"], input: unknown, problem: Problem): ParseResult.ParseIssue => {
  const value = problem.key === undefined || !isObject(input) ? input : input[problem.key]
  const issue = problem.shape === true
    ? new ParseResult.Unexpected(value, problem.message)
    : new ParseResult.Type(ast, value, problem.message)
  return problem.key === undefined ? issue : new ParseResult.Pointer(problem.key, input, issue)
}

/**
 * The Schema of the options of `spec` at `path`, reporting by `frame`: every problem is an issue at its option's
 * path (a `shape` problem an `Unexpected` one), so a decode with `errors: "all"` finds them all.
 * @internal
 */
export const optionsSchema = <A>(spec: OptionsSpec, path: Path, frame: Frame = layerFrame): Schema.Schema<A> =>
  Schema.declare([], {
    decode: () => (input, _options, ast) => {
      const problems = problemsOf(spec, path, frame, input)
      if (problems.length === 0) return ParseResult.succeed(input as A)
      const issues = problems.map((problem) => toIssue(ast, input, problem))
      return ParseResult.fail(
        issues.length === 1 ? issues[0] : new ParseResult.Composite(ast, input, issues as [ParseResult.ParseIssue])
      )
    },
    encode: () => (input) => ParseResult.succeed(input as A)
  }) as unknown as Schema.Schema<A>

/**
 * The issues of a failed decode, path and message; without the `Expected undefined` an optional field adds beside
 * the real message.
 * @internal
 */
export const issuesOf = (error: ParseResult.ParseError): ReadonlyArray<ParseResult.ArrayFormatterIssue> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).filter((issue) =>
    !issue.message.startsWith("Expected undefined")
  )
  return issues.length === 0 ? [{ _tag: "Type", path: [], message: error.message }] : issues
}

/**
 * A failed decode as a layer's `ConfigError`: an `InvalidData` per issue, at its option's path (`frame.at` maps it,
 * e.g. to a variable's path in the environment).
 * @internal
 */
export const toConfigError = (error: ParseResult.ParseError, frame: Frame = layerFrame): ConfigError.ConfigError =>
  issuesOf(error)
    .map((issue) => {
      const path = issue.path.map(String)
      return ConfigError.InvalidData([...(frame.at === undefined ? path : frame.at(path))], issue.message)
    })
    .reduce((a, b) => ConfigError.And(a, b))

/**
 * Decodes what a constructor was given, or throws what `raise` makes of the first problem (its message, and
 * whether it is about the shape of the options rather than a value).
 * @internal
 */
export const decodeOrThrow = <A>(
  decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>,
  input: unknown,
  raise: (message: string, shape: boolean) => Error
): A => {
  const decoded = decode(input)
  if (Either.isRight(decoded)) return decoded.right
  const first = issuesOf(decoded.left)[0]
  throw raise(first.message, first._tag === "Unexpected")
}

/**
 * A decoder of `schema` for constructors: stops at the first problem.
 * @internal
 */
export const firstProblemDecoder = <A>(schema: Schema.Schema<A>) =>
  Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })

/**
 * How a constructor reports, in its own words around the rule's: `invalid(path, value, rule)` for a value, and
 * every unknown option in one message (`fn: unknown options "a", "b" (known: …)`).
 * @internal
 */
export const constructorFrame = (
  fn: string,
  invalid: Frame["invalid"],
  problem: Frame["problem"] = (path, text) => `${fn}: ${path.join(".")} ${text}`
): Frame => ({
  invalid,
  problem,
  unknown: (_path, keys, known) => [{ key: undefined, message: unknownNamesMessage(fn, keys, known), shape: true }]
})
