/**
 * The floor any Effect-based HTTP client pays: an `Effect.async` over undici's `dispatcher.dispatch`, the body read
 * whole, interruption aborting the request. Shared by the throughput table (`clients.ts`) and the instruction
 * counts (`instructions-worker.ts`).
 */
import * as Effect from "effect/Effect"
import type * as Undici from "undici"

/** One GET of `url`: its status, or a failure on a status ≥ 400 or a transport error. */
export const asyncDispatch = (dispatcher: Undici.Dispatcher, url: URL) =>
  Effect.async<number, Error>((resume) => {
    const chunks: Array<Buffer> = []
    let status = 0
    let abort: ((reason?: Error) => void) | undefined
    dispatcher.dispatch({ origin: url.origin, path: url.pathname + url.search, method: "GET", headers: {} }, {
      onConnect(fn) {
        abort = fn
      },
      onHeaders(statusCode) {
        status = statusCode
        return true
      },
      onData(chunk) {
        chunks.push(chunk)
        return true
      },
      onComplete() {
        Buffer.concat(chunks)
        resume(status >= 400 ? Effect.fail(new Error(`status ${status}`)) : Effect.succeed(status))
      },
      onError(error) {
        resume(Effect.fail(error))
      }
    })
    return Effect.sync(() => abort?.(new Error("interrupted")))
  })
