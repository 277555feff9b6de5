import { assert, describe, it } from "@effect/vitest"
import { ConfigError, Duration, Either, FastCheck as fc, Schema } from "effect"
import { Backoff, RetryPolicy } from "../src/index.js"
import { ratioSpec } from "../src/internal/circuitBreaker.js"
import { clientFields } from "../src/internal/config.js"
import { environmentName } from "../src/internal/configEnv.js"
import { showValue } from "../src/internal/optionValue.js"
import {
  type Field,
  layerFrame,
  optionsSchema,
  type OptionsSpec,
  ruleSchema,
  toConfigError
} from "../src/internal/schema/frame.js"
import { protectionSpecs } from "../src/internal/schema/protections.js"
import * as Rules from "../src/internal/schema/rules.js"

/** A value and whether a rule must accept it, from a generator that knows. */
type Case = readonly [value: unknown, accepted: boolean]

/** Values no numeric or duration rule accepts. */
const junk = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  "x",
  "",
  "soon",
  null,
  undefined,
  {},
  [],
  true,
  () => 1,
  Promise.resolve(1),
  new Map()
)

/** Durations written as a number of milliseconds, a string or a `Duration`, and whether `ok` holds for them. */
const durations = (ok: (millis: number) => boolean): fc.Arbitrary<Case> =>
  fc.oneof(
    fc.integer({ min: -100_000, max: 100_000 }).map((n): Case => [n, ok(n)]),
    fc.integer({ min: -1000, max: 1000 }).map((n): Case => [`${n} millis`, ok(n)]),
    fc.integer({ min: 0, max: 1000 }).map((n): Case => [Duration.millis(n), ok(n)]),
    fc.constantFrom<Case>(["0.5 millis", ok(0.5)], [0.5, ok(0.5)], [Duration.infinity, false]),
    junk.map((u): Case => [u, false])
  )

/** Numbers (integers and not) and whether `ok` holds for them. */
const numbers = (ok: (n: number) => boolean): fc.Arbitrary<Case> =>
  fc.oneof(
    fc.integer({ min: -1000, max: 100_000 }).map((n): Case => [n, ok(n)]),
    fc.double({ min: -10, max: 10, noNaN: true }).map((n): Case => [n, ok(n)]),
    fc.constantFrom<Case>([Number.MAX_SAFE_INTEGER + 2, ok(Number.MAX_SAFE_INTEGER + 2)]),
    junk.map((u): Case => [u, false]),
    fc.integer().map((n): Case => [String(n), false])
  )

const isInt = Number.isInteger

/** Every shared rule, with values whose verdict is known without it. */
const primitives: ReadonlyArray<readonly [string, Rules.Rule, fc.Arbitrary<Case>]> = [
  ["PositiveDuration", Rules.PositiveDuration, durations((ms) => ms > 0)],
  ["NonNegativeDuration", Rules.NonNegativeDuration, durations((ms) => ms >= 0)],
  ["MillisDuration", Rules.MillisDuration, durations((ms) => ms >= 1)],
  ["PositiveInt", Rules.PositiveInt, numbers((n) => isInt(n) && n >= 1 && n <= Number.MAX_SAFE_INTEGER)],
  ["NonNegativeInt", Rules.NonNegativeInt, numbers((n) => isInt(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER)],
  ["intRange(1, 16)", Rules.intRange(1, 16), numbers((n) => isInt(n) && n >= 1 && n <= 16)],
  ["numberRange(1, 100)", Rules.numberRange(1, 100), numbers((n) => n >= 1 && n <= 100)],
  ["Share", Rules.Share, numbers((n) => n > 0 && n <= 1)],
  ["Rate01", Rules.Rate01, numbers((n) => n >= 0 && n <= 1)],
  [
    "FollowRedirects",
    Rules.FollowRedirects,
    fc.oneof(
      numbers((n) => isInt(n) && n >= 0 && n <= 100).map(([v, ok]): Case => [v, typeof v === "boolean" || ok]),
      fc.boolean().map((b): Case => [b, true])
    )
  ],
  [
    "oneOf",
    Rules.oneOf("token-bucket", "fixed-window"),
    fc.oneof(
      fc.constantFrom<Case>(["token-bucket", true], ["fixed-window", true], ["leaky", false], ["Token-Bucket", false]),
      junk.map((u): Case => [u, false])
    )
  ]
]

describe("the shared rules (property)", () => {
  for (const [name, rule, cases] of primitives) {
    it(`${name}: accepts exactly what it should; a rejection names the option, shows the value and says why`, () => {
      const decode = Schema.decodeUnknownEither(ruleSchema(["section", "someOption"], rule))
      fc.assert(
        fc.property(cases, ([value, accepted]) => {
          assert.strictEqual(rule.is(value), accepted, `${name} of ${showValue(value)}`)
          const decoded = decode(value)
          assert.strictEqual(Either.isRight(decoded), accepted)
          if (Either.isLeft(decoded)) {
            const error = toConfigError(decoded.left)
            assert.isTrue(ConfigError.isConfigError(error))
            assert.strictEqual(
              (error as ConfigError.InvalidData).message.split(" (e.g.")[0],
              `section.someOption: ${showValue(value)} is not ${rule.expected}`
            )
          }
        }),
        { numRuns: 2000 }
      )
    })
  }

  it("a negative duration never reads as zero, however it is written", () => {
    for (const value of [-1, "-1 millis", " -5 seconds", -0.001, [-1, 0]]) {
      assert.isFalse(Rules.NonNegativeDuration.is(value), showValue(value))
      assert.isFalse(Rules.PositiveDuration.is(value), showValue(value))
      assert.isFalse(Rules.MillisDuration.is(value), showValue(value))
    }
  })
})

describe("the options Schemas (property)", () => {
  const specs = { ...protectionSpecs, ratio: ratioSpec }
  /** The decoder of the options `spec` as the client options hold them, under `section`. */
  const decoderOf = (section: string, spec: OptionsSpec) =>
    Schema.decodeUnknownEither(
      Schema.Struct({ [section]: Schema.optional(optionsSchema(spec, [section], layerFrame)) }),
      { errors: "all" }
    )

  it("each option of each protection: a bad value is a ConfigError at its path, naming it, and only it", () => {
    for (const [section, spec] of Object.entries(specs)) {
      const decode = decoderOf(section, spec)
      for (const [key, field] of Object.entries(spec.fields)) {
        fc.assert(
          fc.property(junk.filter((u) => u !== undefined && !field.rule.is(u)), (bad) => {
            // a valid neighbour keeps the cross-option checks (a rate limiter's quota, a hedge's delay) quiet
            const options = section === "rateLimiter"
              ? { limit: 1, window: 1000, [key]: bad }
              : section === "hedge"
              ? { delay: 10, [key]: bad }
              : { [key]: bad }
            const decoded = decode({ [section]: options })
            assert.isTrue(Either.isLeft(decoded), `${section}.${key} took ${showValue(bad)}`)
            const leaves = invalid(toConfigError((decoded as Either.Left<any, any>).left))
            assert.deepStrictEqual(leaves.map((leaf) => leaf.path.join(".")), [`${section}.${key}`])
            assert.isTrue(leaves[0].message.startsWith(`${section}.${key}: ${showValue(bad)} is not `))
          }),
          { numRuns: 30 }
        )
      }
    }
  })

  it("an unknown option is named with the known ones; a value that is no object says what is expected", () => {
    for (const [section, spec] of Object.entries(specs)) {
      const decode = decoderOf(section, spec)
      const unknown = invalid(toConfigError((decode({ [section]: { nope: 1 } }) as Either.Left<any, any>).left))
      assert.include(
        unknown.map((leaf) => leaf.message),
        `${section}.nope: unknown option (known: ${Object.keys(spec.fields).join(", ")})`
      )
      const notObject = invalid(toConfigError((decode({ [section]: 5 }) as Either.Left<any, any>).left))
      assert.deepStrictEqual(notObject, [{ path: [section], message: `${section}: 5 is not ${spec.expected}` }])
    }
  })

  it("the environment's variables are the options' own, derived from their Schemas", () => {
    const readBy = (fields: Readonly<Record<string, Field>>) =>
      Object.keys(fields).filter((key) => fields[key].env !== undefined)
    const sections: Record<string, Readonly<Record<string, Field>>> = {
      ...Object.fromEntries(Object.entries(protectionSpecs).map(([section, spec]) => [section, spec.fields])),
      circuitBreaker: { ...ratioSpec.fields, ...protectionSpecs.circuitBreaker.fields }
    }
    const variables = [
      ...Object.keys(clientFields).filter((name) => clientFields[name].env !== undefined).map((name) =>
        environmentName("", name)
      ),
      ...Object.entries(sections).flatMap(([section, fields]) =>
        readBy(fields).map((key) => `${environmentName("", section)}_${environmentName("", key)}`)
      )
    ]
    assert.sameMembers(variables, [
      "BASE_URL",
      "TIMEOUT",
      "DEADLINE",
      "MAX_CONNECTIONS",
      "MAX_ORIGINS",
      "MAX_RESPONSE_SIZE",
      "DECOMPRESS",
      "FOLLOW_REDIRECTS",
      "REDACT_HEADERS",
      "REDACT_QUERY_PARAMS",
      "ALLOW_INSECURE_REDIRECTS",
      "KEEP_ALIVE_TIMEOUT",
      "CONNECT_TIMEOUT",
      "PROXY",
      "TRACING",
      "CIRCUIT_BREAKER_THRESHOLD",
      "CIRCUIT_BREAKER_MIN_THROUGHPUT",
      "CIRCUIT_BREAKER_WINDOW",
      "CIRCUIT_BREAKER_BREAK_DURATION",
      "CIRCUIT_BREAKER_BACKOFF_FACTOR",
      "CIRCUIT_BREAKER_MAX_BREAK_DURATION",
      "CIRCUIT_BREAKER_PROBES",
      "BULKHEAD_MAX_CONCURRENT",
      "BULKHEAD_MAX_QUEUE",
      "BULKHEAD_QUEUE_TIMEOUT",
      "RATE_LIMITER_LIMIT",
      "RATE_LIMITER_WINDOW",
      "RATE_LIMITER_ALGORITHM",
      "RETRY_BUDGET_RATIO",
      "RETRY_BUDGET_WINDOW",
      "RETRY_BUDGET_MIN_RETRIES_PER_SECOND",
      "RETRY_BUDGET_ADAPTIVE"
    ])
  })
})

describe("constructors decode with the same rules", () => {
  it("a bad duration, count or unknown option throws naming the function, the option and the value", () => {
    const cases: ReadonlyArray<readonly [() => unknown, string]> = [
      [
        () => Backoff.exponential({ base: 0 }),
        `Backoff.exponential: option "base" must be a positive finite duration, got 0`
      ],
      [
        () => Backoff.exponential({ base: "soon" as any }),
        `option "base" must be a positive finite duration, got "soon"`
      ],
      [
        () => Backoff.fibonacci({ base: 10, max: 5 }),
        `Backoff.fibonacci: option "max" must not be below "base" (10 ms), got 5`
      ],
      [
        () => Backoff.random({ min: -1, max: 5 }),
        `Backoff.random: option "min" must be a non-negative finite duration, got -1`
      ],
      [
        () => Backoff.constant("-1 millis"),
        `Backoff.constant: option "delay" must be a non-negative finite duration, got "-1 millis"`
      ],
      [
        () => Backoff.fromDelays(1, NaN),
        `Backoff.fromDelays: option "delays[1]" must be a non-negative finite duration, got NaN`
      ],
      [
        () => RetryPolicy.make({ retries: 1.5 }),
        `RetryPolicy.make: option "retries" must be a non-negative integer (or Infinity), got 1.5`
      ],
      [
        () => RetryPolicy.make({ statuses: [99] }),
        `option "statuses" must be a list of HTTP statuses (integers from 100 to 599), got [99]`
      ]
    ]
    for (const [build, message] of cases) assert.throws(build, message)
  })
})

/** The `InvalidData` leaves of a ConfigError. */
const invalid = (error: ConfigError.ConfigError): Array<{ path: Array<string>; message: string }> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...invalid(error.left), ...invalid(error.right)]
    case "InvalidData":
      return [{ path: [...error.path], message: error.message }]
    default:
      return []
  }
}
