/**
 * The v3 entry's driver for the shared behavioural suite (test/shared/): the plain specs become the public v3
 * options, each request runs as one Effect on the client's runtime, and how it ended becomes plain data.
 * Built only on the public API (src/index.ts).
 */
import { Cause, Duration, Effect, Exit, Layer, Option, Queue, Runtime, Schema, Stream } from "effect"
import {
  Backoff,
  CircuitBreaker,
  HttpResilient,
  type HttpResilientError,
  ResilientClient,
  RetryPolicy
} from "../../src/index.js"
import type { Driver, DriverClient, EventSummary, Outcome, StreamOutcome, StreamRequest } from "../shared/driver.js"
import { DriverConfigError } from "../shared/driver.js"
import { summaries, translation } from "../shared/translate.js"

const { clientOptions, requestOptions, streamOptions } = translation({
  Backoff,
  CircuitBreaker,
  RetryPolicy,
  bodyStream: (chunks) => Stream.rechunk(Stream.fromIterable(chunks), 1)
})

const summary = summaries({ Cause, Duration, Option })

const outcomeOf = (exit: Exit.Exit<{ status: number; headers: Record<string, string>; body: string }, unknown>) => {
  if (Exit.isSuccess(exit)) return { ok: true as const, ...exit.value }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) return summary.failure(failure.value as HttpResilientError.HttpResilientError, exit.cause)
  throw Cause.squash(exit.cause)
}

type Client = ResilientClient.ResilientClient

/** The verb of a streaming call, as a v3 `Stream` of its items. */
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
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) throw Cause.squash(exit.cause)
    return { items, error: summary.failure(failure.value, exit.cause) }
  })
}

/** The v3 entry's driver. */
export const v3Driver: Driver = {
  edition: "v3",
  withClient: async (spec, body) => {
    const program = Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(ResilientClient.layer(clientOptions(spec))).pipe(
        Effect.mapError((error) => new DriverConfigError(String(error)))
      )
      const runtime = yield* Effect.provide(Effect.runtime<ResilientClient.ResilientClient>(), context)
      const dequeue = yield* Effect.provide(ResilientClient.subscribe, context)
      const seen: Array<EventSummary> = []
      const run = Runtime.runPromiseExit(runtime)
      // the calls still running when the body ends are interrupted, as a scoped program's would be
      const ended = new AbortController()
      const client: DriverClient = {
        request: async (req): Promise<Outcome> => {
          const call = HttpResilient.request(req.method, req.url, requestOptions(req)).pipe(
            Effect.flatMap((response) =>
              Effect.map(HttpResilient.text(response), (text) => ({
                status: response.status,
                headers: { ...response.headers },
                body: text
              }))
            )
          )
          const signal = req.signal === undefined ? ended.signal : AbortSignal.any([req.signal, ended.signal])
          return outcomeOf(await run(call, { signal }))
        },
        circuitState: async (origin) => {
          const exit = await run(ResilientClient.circuitState(origin))
          if (Exit.isSuccess(exit)) return exit.value
          throw Cause.squash(exit.cause)
        },
        events: async () => {
          const exit = await run(Queue.takeAll(dequeue))
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
    const failure = Cause.failureOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  }
}
