/**
 * The client option `routes`, checked: a list of routes, each `{ match, retry?, timeout?, deadline?, acceptStatus?,
 * circuitBreaker?, bulkhead? }`, its fields by the same rules as the client's own options of those names. Every
 * problem names the route and the field (`routes[1].timeout: 0 is not a positive finite duration …`).
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { type AcceptStatus, acceptStatusExpected, isAcceptStatus } from "../../core/acceptStatus.js"
import {
  isPathPrefix,
  isRouteMethod,
  originExpected,
  originOf,
  pathPrefixExpected,
  routeMethodExpected,
  type RouteOptionsOf
} from "../../core/routes.js"
import { redactText } from "../../core/secrets.js"
import type { HttpResilientError } from "../../HttpResilientError.js"
import type { BulkheadOptions } from "../bulkhead.js"
import type { CircuitBreakerOptions, Strategy } from "../circuitBreaker.js"
import { showValue } from "../optionValue.js"
import { type Frame, layerFrame, type OptionsSpec, type Problem, problemsOf } from "./frame.js"
import { bulkheadSpec, circuitBreakerSpec } from "./protections.js"
import { isObject, PositiveDuration, rule } from "./rules.js"

/**
 * One route: its `match`, and the client options it sets for the calls it takes.
 * @internal
 */
export interface RouteOptions extends
  RouteOptionsOf<
    Duration.DurationInput,
    Schedule.Schedule<unknown, HttpResilientError, never>,
    AcceptStatus,
    Strategy | CircuitBreakerOptions,
    BulkheadOptions
  >
{}

/** @internal */
export type { RouteMatch } from "../../core/routes.js"

/** The options of a route's `match`. */
const matchSpec: OptionsSpec = {
  expected: "{ origin?, pathPrefix?, method? }",
  required: true,
  fields: {
    origin: {
      rule: {
        is: (u) => originOf(u) !== undefined,
        expected: originExpected,
        show: (u) => typeof u === "string" || u instanceof URL ? showValue(redactText(String(u))) : showValue(u)
      }
    },
    pathPrefix: { rule: rule(isPathPrefix, pathPrefixExpected) },
    method: { rule: rule(isRouteMethod, routeMethodExpected) }
  }
}

/** Checked apart (their own specs), so any value passes the route's own check. */
const anyValue = rule(() => true, "")

/** The options of one route; `match`, `circuitBreaker` and `bulkhead` are checked by their own specs. */
const routeSpec: OptionsSpec = {
  expected: "{ match, retry?, timeout?, deadline?, acceptStatus?, circuitBreaker?, bulkhead? }",
  required: true,
  fields: {
    match: { rule: anyValue, required: true },
    retry: {
      rule: rule((u) => u === false || Schedule.isSchedule(u), "a Schedule (e.g. a RetryPolicy) or false")
    },
    timeout: { rule: PositiveDuration },
    deadline: { rule: PositiveDuration },
    acceptStatus: { rule: rule(isAcceptStatus, acceptStatusExpected) },
    circuitBreaker: { rule: anyValue },
    bulkhead: { rule: anyValue }
  }
}

/** Every problem of route `i`, each message naming `routes[i].field`. */
const routeProblems = (route: unknown, i: number, frame: Frame): ReadonlyArray<Problem> => {
  const at = `routes[${i}]`
  const problems = [...problemsOf(routeSpec, [at], frame, route)]
  if (!isObject(route)) return problems
  const nested = [
    ["match", matchSpec],
    ["circuitBreaker", circuitBreakerSpec],
    ["bulkhead", bulkheadSpec]
  ] as const
  for (const [key, spec] of nested) {
    for (const problem of problemsOf(spec, [at, key], frame, route[key])) {
      problems.push({ ...problem, key })
    }
  }
  return problems
}

/**
 * The Schema of the client option `routes`, reporting by `frame` (a layer's by default).
 * @internal
 */
export const routesInput = (frame: Frame = layerFrame): Schema.Schema<ReadonlyArray<RouteOptions>> =>
  Schema.declare([], {
    decode: () => (input, _options, ast) => {
      if (!Array.isArray(input)) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            input,
            `routes: ${showValue(input)} is not a list of routes ({ match: { origin?, pathPrefix?, method? }, ... })`
          )
        )
      }
      const issues: Array<ParseResult.ParseIssue> = []
      for (let i = 0; i < input.length; i++) {
        const route = input[i]
        for (const problem of routeProblems(route, i, frame)) {
          const value = problem.key === undefined || !isObject(route) ? route : route[problem.key]
          const issue = problem.shape === true
            ? new ParseResult.Unexpected(value, problem.message)
            : new ParseResult.Type(ast, value, problem.message)
          issues.push(
            new ParseResult.Pointer(
              i,
              input,
              problem.key === undefined ? issue : new ParseResult.Pointer(problem.key, route, issue)
            )
          )
        }
      }
      if (issues.length === 0) return ParseResult.succeed(input as ReadonlyArray<RouteOptions>)
      return ParseResult.fail(
        issues.length === 1 ? issues[0] : new ParseResult.Composite(ast, input, issues as [ParseResult.ParseIssue])
      )
    },
    encode: () => (input) => ParseResult.succeed(input as ReadonlyArray<RouteOptions>)
  }) as unknown as Schema.Schema<ReadonlyArray<RouteOptions>>
