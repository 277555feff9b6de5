import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Ref, Schedule } from "effect"
import { createHmac } from "node:crypto"
import { HttpResilient, HttpResilientError, HttpResilientTest, Interceptor, ResilientClient } from "../src/index.js"
import { serverScoped } from "./support/server.js"

const echo = serverScoped((_req, res) => res.end("ok"))

describe("interceptors", () => {
  // the declared order on every attempt, request side then response side: the shared suite
  // (test/shared/interceptors.ts)
  it.scoped("a failing or throwing interceptor fails the attempt with an InterceptorError naming it", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const failing = Interceptor.onRequest("vault", () => Effect.fail("vault sealed"))
      const throwing = Interceptor.onResponse("parser", () => {
        throw new Error("bug")
      })
      const first = yield* Effect.flip(
        HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({ interceptors: [failing] })))
      )
      assert.strictEqual(first._tag, "InterceptorError")
      assert.isTrue(
        first._tag === "InterceptorError" && first.interceptor === "vault" && first.cause === "vault sealed"
      )
      assert.strictEqual(server.count(), 0)
      const second = yield* Effect.flip(
        HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({ interceptors: [throwing] })))
      )
      assert.isTrue(second._tag === "InterceptorError" && second.interceptor === "parser" && second.attempt === 1)
      assert.strictEqual(server.count(), 1)
    }))

  it.scoped("an async interceptor (a Promise where an Effect is expected) is an InterceptorError naming it", () =>
    Effect.gen(function*() {
      const rejections: Array<unknown> = []
      const onRejection = (reason: unknown) => rejections.push(reason)
      process.on("unhandledRejection", onRejection)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.off("unhandledRejection", onRejection)))
      const cases: ReadonlyArray<[Interceptor.Interceptor, string, boolean]> = [
        [Interceptor.onRequest("asyncAuth", (async (request: any) => request) as any), "returned a Promise", false],
        [
          Interceptor.onRequest("rejects", (() => Promise.reject(new Error("no token"))) as any),
          "returned a Promise",
          false
        ],
        [Interceptor.onRequest("nothing", (() => undefined) as any), "returned undefined", false],
        [Interceptor.onRequest("effectOfNumber", (() => Effect.succeed(5)) as any), "succeeded with number", false],
        [Interceptor.onResponse("asyncLog", (async (response: any) => response) as any), "returned a Promise", true]
      ]
      for (const [interceptor, why, sends] of cases) {
        const { error, sent } = yield* Effect.gen(function*() {
          const error = yield* Effect.flip(HttpResilient.get("http://api.test/x"))
          return { error, sent: (yield* HttpResilientTest.requests).length }
        }).pipe(
          Effect.provide(HttpResilientTest.layer([HttpResilientTest.reply(200)], { interceptors: [interceptor] }))
        )
        assert.strictEqual(error._tag, "InterceptorError", `${interceptor.name}: ${error.message}`)
        if (error._tag !== "InterceptorError") continue
        assert.strictEqual(error.interceptor, interceptor.name)
        assert.include(error.message, why)
        assert.strictEqual(sent, sends ? 1 : 0, interceptor.name)
      }
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      assert.deepStrictEqual(rejections, [])
    }))

  it.scoped("a defect inside an interceptor's Effect is an InterceptorError naming it, with the defect as cause", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const boom = new Error("boom")
      const defect = new Error("defect")
      const syncthrow = Interceptor.onRequest("syncthrow", () =>
        Effect.sync(() => {
          throw boom
        }))
      const rdie = Interceptor.onResponse("rdie", () => Effect.die(defect))
      const first = yield* Effect.exit(
        HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({ interceptors: [syncthrow] })))
      )
      assert.isTrue(Exit.isFailure(first) && Cause.isFailType(first.cause), `not a failure: ${String(first)}`)
      const firstError = Exit.isFailure(first) ? Cause.squash(first.cause) : undefined
      assert.isTrue(firstError instanceof HttpResilientError.InterceptorError)
      assert.isTrue(
        firstError instanceof HttpResilientError.InterceptorError &&
          firstError.interceptor === "syncthrow" && firstError.cause === boom && firstError.attempt === 1
      )
      assert.strictEqual(server.count(), 0)
      const second = yield* Effect.exit(
        HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({ interceptors: [rdie] })))
      )
      assert.isTrue(Exit.isFailure(second) && Cause.isFailType(second.cause), `not a failure: ${String(second)}`)
      const secondError = Exit.isFailure(second) ? Cause.squash(second.cause) : undefined
      assert.isTrue(
        secondError instanceof HttpResilientError.InterceptorError &&
          secondError.interceptor === "rdie" && secondError.cause === defect
      )
      assert.strictEqual(server.count(), 1)
      // a defect is retried like any other InterceptorError would be: the policy decides, the call ends typed
      const retried = yield* Effect.exit(
        HttpResilient.get(server.url).pipe(
          Effect.retry(Schedule.recurs(1)),
          Effect.provide(ResilientClient.layer({ interceptors: [rdie] }))
        )
      )
      assert.isTrue(Exit.isFailure(retried) && Cause.isFailType(retried.cause))
    }))

  it.scoped("an interceptor that interrupts, or is interrupted, ends in interruption, not an InterceptorError", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const selfInterrupt = Interceptor.onRequest("quit", () => Effect.interrupt)
      const exit = yield* Effect.exit(
        HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({ interceptors: [selfInterrupt] })))
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause), `not interrupted: ${String(exit)}`)
      const started = yield* Deferred.make<void>()
      const stuck = Interceptor.onRequest(
        "stuck",
        () => Effect.zipRight(Deferred.succeed(started, undefined), Effect.never)
      )
      const fiber = yield* Effect.fork(
        HttpResilient.get(server.url).pipe(Effect.provide(ResilientClient.layer({ interceptors: [stuck] })))
      )
      yield* Deferred.await(started)
      const interrupted = yield* Fiber.interrupt(fiber)
      assert.isTrue(
        Exit.isFailure(interrupted) && Cause.isInterruptedOnly(interrupted.cause),
        `not interrupted: ${String(interrupted)}`
      )
      assert.strictEqual(server.count(), 0)
    }))

  it.scoped("bearer token refreshed on 401: the attempt is sent once more with the new token", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((req, res) => {
        res.statusCode = req.headers.authorization === "Bearer fresh" ? 200 : 401
        res.end()
      })
      const token = yield* Ref.make("stale")
      const refreshes = yield* Ref.make(0)
      const refresh = Effect.zipRight(Ref.update(refreshes, (n) => n + 1), Effect.as(Ref.set(token, "fresh"), "fresh"))
      const client = ResilientClient.layer({
        interceptors: [Interceptor.bearerToken({ token: Ref.get(token), refresh })]
      })
      const response = yield* HttpResilient.get(`${server.url}/me`).pipe(Effect.provide(client))
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(server.received.map((r) => r.headers.authorization), ["Bearer stale", "Bearer fresh"])
      assert.strictEqual(yield* Ref.get(refreshes), 1)
      // the next call uses the refreshed token at once
      yield* HttpResilient.get(`${server.url}/me`).pipe(Effect.provide(client))
      assert.strictEqual(server.received[2].headers.authorization, "Bearer fresh")
      assert.strictEqual(yield* Ref.get(refreshes), 1)
    }))

  it.scoped("a second 401 after the refresh is returned as a StatusError, not retried again", () =>
    Effect.gen(function*() {
      const server = yield* serverScoped((_req, res) => {
        res.statusCode = 401
        res.end()
      })
      const client = ResilientClient.layer({
        interceptors: [Interceptor.bearerToken({ token: Effect.succeed("a"), refresh: Effect.succeed("b") })]
      })
      const error = yield* Effect.flip(HttpResilient.get(server.url).pipe(Effect.provide(client)))
      assert.isTrue(error._tag === "StatusError" && error.status === 401)
      assert.strictEqual(server.count(), 2)
    }))

  it.scoped("request signing: an HMAC over method, path and body", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const key = "signing-key"
      const sign = (method: string, path: string, body: string) =>
        createHmac("sha256", key).update(`${method}\n${path}\n${body}`).digest("hex")
      const signing = Interceptor.onRequest("signing", (request) => {
        const url = new URL(request.url)
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        return HttpClientRequest.setHeader(request, "x-signature", sign(request.method, url.pathname, body))
      })
      yield* HttpResilient.post(`${server.url}/orders`, { json: { sku: "A1" } }).pipe(
        Effect.provide(ResilientClient.layer({ interceptors: [signing] }))
      )
      const received = server.received[0]
      assert.strictEqual(received.headers["x-signature"], sign("POST", "/orders", received.body.toString()))
      assert.strictEqual(received.body.toString(), `{"sku":"A1"}`)
    }))

  it.scoped("correlation id: generated when absent, kept when the request has one", () =>
    Effect.gen(function*() {
      const server = yield* echo
      let n = 0
      const client = ResilientClient.layer({
        interceptors: [Interceptor.correlationId({ generate: Effect.sync(() => `id-${++n}`) })]
      })
      yield* HttpResilient.get(server.url).pipe(Effect.provide(client))
      yield* HttpResilient.get(server.url, { headers: { "X-Correlation-Id": "given" } }).pipe(Effect.provide(client))
      assert.deepStrictEqual(server.received.map((r) => r.headers["x-correlation-id"]), ["id-1", "given"])
    }))

  it.scoped("a response interceptor may replace the response", () =>
    Effect.gen(function*() {
      const server = yield* echo
      const replace = Interceptor.onResponse("stub", (response) =>
        HttpClientResponse.fromWeb(response.request, new Response("replaced", { status: 202 })))
      const response = yield* HttpResilient.get(server.url).pipe(
        Effect.provide(ResilientClient.layer({ interceptors: [replace] }))
      )
      assert.strictEqual(response.status, 202)
      assert.strictEqual(yield* response.text, "replaced")
    }))

  it.effect("bad interceptors fail the layer naming the entry", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Effect.provide(Effect.void, ResilientClient.layer({ interceptors: [{ name: "x" } as any] }))
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "interceptors[0] (x): has neither onRequest nor onResponse")
    }))
})
