import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Ref } from "effect"
import {
  HttpResilient,
  type HttpResilientError,
  HttpResilientTest,
  Interceptor,
  ResilientClient
} from "effect-http-resilient/v4"
import { HttpBody, HttpClientRequest, HttpClientResponse } from "effect/http"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const url = "http://api.test/x"
const ok = [HttpResilientTest.reply(200)]

/** Runs `effect` against a scripted client with `interceptors`, and what it sent. */
const withInterceptors = <A, E>(
  interceptors: ReadonlyArray<Interceptor.Interceptor>,
  effect: Effect.Effect<A, E, ResilientClient.ResilientClient>,
  script: HttpResilientTest.Script = ok
) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    return { exit, sent: yield* HttpResilientTest.requests }
  }).pipe(Effect.provide(HttpResilientTest.layer(script, { interceptors })))

const failureOf = <A>(exit: Exit.Exit<A, HttpResilientError.HttpResilientError>) =>
  Exit.isFailure(exit) ? Cause.squash(exit.cause) as HttpResilientError.HttpResilientError : undefined

describe("interceptors (v4, scripted transport)", () => {
  // the declared order on every attempt, request side then response side: the shared suite
  // (test/shared/interceptors.ts)
  it.effect("a failure, a throw or a defect is an InterceptorError naming the interceptor, with what went wrong", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      const cases: ReadonlyArray<[Interceptor.Interceptor, unknown, number]> = [
        [Interceptor.onRequest("vault", () => Effect.fail("vault sealed")), "vault sealed", 0],
        [
          Interceptor.onResponse("parser", () => {
            throw boom
          }),
          boom,
          1
        ],
        [
          Interceptor.onRequest("syncthrow", () =>
            Effect.sync(() => {
              throw boom
            })),
          boom,
          0
        ],
        [Interceptor.onResponse("rdie", () => Effect.die(boom)), boom, 1]
      ]
      for (const [interceptor, cause, sends] of cases) {
        const { exit, sent } = yield* withInterceptors([interceptor], HttpResilient.get(url))
        const error = failureOf(exit)
        assert.strictEqual(error?._tag, "InterceptorError", interceptor.name)
        if (error?._tag !== "InterceptorError") continue
        assert.strictEqual(error.interceptor, interceptor.name)
        assert.strictEqual(error.cause, cause)
        assert.strictEqual(error.attempt, 1)
        assert.strictEqual(sent.length, sends, interceptor.name)
      }
      const { exit } = yield* withInterceptors([cases[0][0]], HttpResilient.get(url))
      assert.strictEqual(
        failureOf(exit)?.message,
        `Interceptor "vault" failed (vault sealed): GET http://api.test/x (attempt 1)`
      )
    }))

  it.effect("a Promise, undefined or an Effect of something else is an InterceptorError; no unhandled rejection", () =>
    Effect.gen(function*() {
      const rejections: Array<unknown> = []
      const onRejection = (reason: unknown) => rejections.push(reason)
      process.on("unhandledRejection", onRejection)
      const cases: ReadonlyArray<[Interceptor.Interceptor, string, number]> = [
        [Interceptor.onRequest("asyncAuth", (async (request: any) => request) as any), "returned a Promise", 0],
        [Interceptor.onRequest("rejects", (() => Promise.reject(new Error("no"))) as any), "returned a Promise", 0],
        [Interceptor.onRequest("nothing", (() => undefined) as any), "returned undefined", 0],
        [Interceptor.onRequest("number", (() => Effect.succeed(5)) as any), "succeeded with number", 0],
        [Interceptor.onResponse("asyncLog", (async (response: any) => response) as any), "returned a Promise", 1]
      ]
      for (const [interceptor, why, sends] of cases) {
        const { exit, sent } = yield* withInterceptors([interceptor], HttpResilient.get(url))
        const error = failureOf(exit)
        assert.isTrue(error?._tag === "InterceptorError" && error.interceptor === interceptor.name, interceptor.name)
        assert.include(error?.message, why)
        assert.strictEqual(sent.length, sends, interceptor.name)
      }
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      process.off("unhandledRejection", onRejection)
      assert.deepStrictEqual(rejections, [])
    }))

  it.effect("an interceptor that interrupts, or is interrupted, ends in interruption, not an InterceptorError", () =>
    Effect.gen(function*() {
      const quit = yield* withInterceptors(
        [Interceptor.onRequest("quit", () => Effect.interrupt)],
        HttpResilient.get(url)
      )
      assert.isTrue(Exit.isFailure(quit.exit) && Cause.hasInterruptsOnly(quit.exit.cause), String(quit.exit))
      const started = yield* Deferred.make<void>()
      const stuck = Interceptor.onRequest(
        "stuck",
        () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
      )
      const fiber = yield* Effect.forkChild(withInterceptors([stuck], HttpResilient.get(url)))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
    }))

  it.effect("bearer token refreshed on 401: sent once more with the new token; a second 401 is a StatusError", () =>
    Effect.gen(function*() {
      const token = yield* Ref.make("stale")
      const refreshes = yield* Ref.make(0)
      const refresh = Effect.andThen(Ref.update(refreshes, (n) => n + 1), Effect.as(Ref.set(token, "fresh"), "fresh"))
      const bearer = Interceptor.bearerToken({ token: Ref.get(token), refresh })
      const byToken: HttpResilientTest.Script = (request) =>
        HttpResilientTest.reply(request.headers.authorization === "Bearer fresh" ? 200 : 401)
      const { exit, sent } = yield* withInterceptors(
        [bearer],
        Effect.andThen(HttpResilient.get(url), HttpResilient.get(url)),
        byToken
      )
      assert.isTrue(Exit.isSuccess(exit) && exit.value.status === 200)
      assert.deepStrictEqual(sent.map((r) => r.headers.authorization), ["Bearer stale", "Bearer fresh", "Bearer fresh"])
      assert.strictEqual(yield* Ref.get(refreshes), 1)
      const never = Interceptor.bearerToken({ token: Effect.succeed("a"), refresh: Effect.succeed("b") })
      const second = yield* withInterceptors([never], HttpResilient.get(url), [HttpResilientTest.reply(401)])
      const error = failureOf(second.exit)
      assert.isTrue(error?._tag === "StatusError" && error.status === 401)
      assert.strictEqual(second.sent.length, 2)
    }))

  it.effect("a request interceptor sees and may replace the body; a raw body that is no bytes is refused", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const rewrite = Interceptor.onRequest("rewrite", (request) => {
        if (request.body._tag === "Uint8Array") seen.push(new TextDecoder().decode(request.body.body))
        return HttpClientRequest.setBody(request, HttpBody.text("replaced", "text/plain"))
      })
      const { sent } = yield* withInterceptors([rewrite], HttpResilient.post(url, { json: { sku: "A1" } }))
      assert.deepStrictEqual(seen, [`{"sku":"A1"}`])
      assert.strictEqual(new TextDecoder().decode(sent[0].body), "replaced")
      assert.strictEqual(sent[0].headers["content-type"], "text/plain")
      const raw = Interceptor.onRequest(
        "raw",
        (request) => HttpClientRequest.setBody(request, HttpBody.raw({ not: "bytes" }))
      )
      const refused = yield* withInterceptors([raw], HttpResilient.get(url))
      const error = failureOf(refused.exit)
      assert.isTrue(error?._tag === "InterceptorError" && error.interceptor === "request")
      assert.strictEqual(refused.sent.length, 0)
    }))

  it.effect("correlation id: generated when absent, kept when the request has one", () =>
    Effect.gen(function*() {
      let n = 0
      const correlation = Interceptor.correlationId({ generate: Effect.sync(() => `id-${++n}`) })
      const { sent } = yield* withInterceptors(
        [correlation],
        Effect.andThen(HttpResilient.get(url), HttpResilient.get(url, { headers: { "X-Correlation-Id": "given" } }))
      )
      assert.deepStrictEqual(sent.map((r) => r.headers["x-correlation-id"]), ["id-1", "given"])
    }))

  it.effect("a response interceptor may replace the response, before classification", () =>
    Effect.gen(function*() {
      const replace = Interceptor.onResponse("stub", (response) =>
        HttpClientResponse.fromWeb(response.request, new Response("replaced", { status: 202 })))
      const { exit } = yield* withInterceptors(
        [replace],
        Effect.flatMap(HttpResilient.get(url), (response) =>
          Effect.map(response.text, (text) => [response.status, text])),
        [HttpResilientTest.reply(500)]
      )
      assert.deepStrictEqual(Exit.isSuccess(exit) ? exit.value : exit, [202, "replaced"])
    }))

  it.effect("bad interceptors fail the layer naming the entry", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(ResilientClient.layer({ interceptors: [{ name: "x" } as any] })))
      assert.include(String(error), "interceptors[0] (x): has neither onRequest nor onResponse")
      const notList = yield* Effect.flip(Layer.build(ResilientClient.layer({ interceptors: "auth" as any })))
      assert.include(String(notList), `option "interceptors" "auth" is not a list of interceptors`)
    }))

  it.live("on the wire (real loopback server, real time): the rewritten headers, query and body arrive", () =>
    Effect.gen(function*() {
      const received: Array<{ url: string; signature: unknown; length: unknown; body: string }> = []
      const url = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<{ url: string; close: () => void }>((resolve) => {
            const server = createServer((req, res) => {
              const chunks: Array<Buffer> = []
              req.on("data", (chunk: Buffer) => chunks.push(chunk))
              req.on("end", () => {
                const body = Buffer.concat(chunks).toString()
                const length = req.headers["content-length"]
                received.push({ url: req.url ?? "", signature: req.headers["x-signature"], length, body })
                res.writeHead(200).end("ok")
              })
            })
            server.listen(0, "127.0.0.1", () =>
              resolve({
                url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
                close: () => server.close()
              }))
          })
        ),
        (server) => Effect.sync(() => server.close())
      )
      const signing = Interceptor.onRequest("signing", (request) =>
        request.pipe(
          HttpClientRequest.setHeader("x-signature", "sig"),
          HttpClientRequest.appendUrlParam("v", "2"),
          HttpClientRequest.setBody(HttpBody.text("a longer body than before", "text/plain"))
        ))
      const response = yield* HttpResilient.post(`${url.url}/orders`, { json: { sku: "A1" } }).pipe(
        Effect.provide(ResilientClient.layer({ interceptors: [signing] }))
      )
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(received, [
        { url: "/orders?v=2", signature: "sig", length: "25", body: "a longer body than before" }
      ])
    }).pipe(Effect.scoped))
})
