/**
 * The v4 edition's driver for the shared behavioural suite (test/shared/ at the repository root): the plain specs
 * become the v4 public options, each request runs as one v4 Effect in the client's context, and how it ended becomes
 * plain data. Built only on the edition's public API (v4/src/index.ts).
 */
import { Cause, Duration, Effect, Exit, Layer, Option, PubSub, Schema, Stream } from "effect"
import type {
  Driver,
  DriverClient,
  EventSummary,
  Outcome,
  StreamOutcome,
  StreamRequest
} from "../../../test/shared/driver.js"
import { DriverConfigError } from "../../../test/shared/driver.js"
import { summaries, translation } from "../../../test/shared/translate.js"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  type HttpResilientError,
  ResilientClient,
  RetryPolicy
} from "../../src/index.js"

const { clientOptions, requestOptions, streamOptions } = translation({
  Backoff,
  CircuitBreaker,
  RetryPolicy,
  bodyStream: (chunks) => Stream.fromArrays(...chunks.map((chunk) => [chunk]))
})

const summary = summaries({ Cause, Duration, Option })

type Read = { status: number; headers: Record<string, string>; body: string }

const outcomeOf = (exit: Exit.Exit<Read, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) return { ok: true, ...exit.value }
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isSome(failure)) return summary.failure(failure.value as HttpResilientError.HttpResilientError, exit.cause)
  throw Cause.squash(exit.cause)
}

type Client = ResilientClient.ResilientClient

/** The verb of a streaming call, as a v4 `Stream` of its items. */
const streamOf = (req: StreamRequest): Stream.Stream<unknown, HttpResilientError.HttpResilientError, Client> => {
  const options = streamOptions(req)
  const verb: Stream.Stream<unknown, HttpResilientError.HttpResilientError, Client> = req.verb === "stream"
    ? HttpResilient.stream(req.url, options)
    : req.verb === "lines"
    ? HttpResilient.lines(req.url, options)
    : req.verb === "ndjson"
    ? HttpResilient.ndjson(req.url, Schema.Unknown, options)
    : HttpResilient.sse(req.url, options)
  return req.take === undefined ? verb : Stream.take(verb, req.take)
}

/** Runs a streaming call, collecting its items as they come (kept when it fails). */
const runStream = (
  run: <A, E>(effect: Effect.Effect<A, E, Client>) => Promise<Exit.Exit<A, E>>,
  req: StreamRequest
): Promise<StreamOutcome> => {
  const items: Array<unknown> = []
  const program = Stream.runForEach(streamOf(req), (item) => Effect.sync(() => items.push(item)))
  return run(program).then((exit) => {
    if (Exit.isSuccess(exit)) return { items }
    const failure = Cause.findErrorOption(exit.cause)
    if (Option.isNone(failure)) throw Cause.squash(exit.cause)
    return { items, error: summary.failure(failure.value, exit.cause) }
  })
}

/** The v4 edition's driver. */
export const v4Driver: Driver = {
  edition: "v4",
  withClient: async (spec, body) => {
    const program = Effect.scoped(Effect.gen(function*() {
      const options = yield* Effect.try({ try: () => clientOptions(spec), catch: (error) => error })
      const context = yield* Layer.build(ResilientClient.layer(options)).pipe(
        Effect.mapError((error) => new DriverConfigError(String(error.message)))
      )
      const subscription = yield* Effect.provide(ResilientClient.subscribe, context)
      const seen: Array<EventSummary> = []
      const run = Effect.runPromiseExitWith(context)
      // the calls still running when the body ends are interrupted, as a scoped program's would be
      const ended = new AbortController()
      const client: DriverClient = {
        request: async (req) => {
          const call = HttpResilient.request(req.method, req.url, requestOptions(req)).pipe(
            Effect.flatMap((response) =>
              Effect.map(response.text, (text): Read => ({
                status: response.status,
                headers: { ...response.headers },
                body: text
              }))
            )
          )
          const signal = req.signal === undefined ? ended.signal : AbortSignal.any([req.signal, ended.signal])
          return outcomeOf(await run(call as Effect.Effect<Read, unknown, ResilientClient.ResilientClient>, { signal }))
        },
        circuitState: async (origin) => {
          const exit = await run(ResilientClient.circuitState(origin))
          if (Exit.isSuccess(exit)) return exit.value
          throw Cause.squash(exit.cause)
        },
        events: async () => {
          const exit = await run(PubSub.takeUpTo(subscription, Number.MAX_SAFE_INTEGER))
          if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
          for (const event of exit.value) seen.push(summary.event(event))
          return [...seen]
        },
        stream: (req) => runStream((effect) => run(effect, { signal: ended.signal }), req)
      }
      yield* Effect.tryPromise({ try: () => body(client), catch: (error) => error }).pipe(
        Effect.ensuring(Effect.sync(() => ended.abort()))
      )
    }))
    const exit = await Effect.runPromiseExit(program)
    if (Exit.isSuccess(exit)) return
    const failure = Cause.findErrorOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  }
}
