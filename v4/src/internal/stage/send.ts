/** @internal */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { RawResponse } from "../../../../src/core/exchange.js"
import type { TransportFailure } from "../../../../src/core/transportFailure.js"
import { type Attempt, failureToError } from "../attempt.js"
import type { Transport } from "../transport.js"

const timedOut = () => Effect.fail({ reason: "Timeout" } as TransportFailure)

/** Effect's own clock (real time), the default of `Clock.Clock`. */
const liveClock = Context.get(Context.empty(), Clock.Clock)

/**
 * The last stage of a buffered attempt: the transport sends the request and reads the body into memory (up to
 * `maxResponseSize`), under what is left of the attempt's timeout (clipped to the deadline) since its first hop was
 * sent — the transport's own timer when it has one and the fiber's clock is the real one, else an Effect timeout on
 * the fiber's clock (the test kit's transport, a `TestClock`); interrupting the fiber aborts the socket.
 * @internal
 */
export const send = (
  transport: Transport,
  maxResponseSize: number,
  decompress: boolean
): Attempt<RawResponse> =>
(state, request) =>
  Effect.withFiber((fiber) => {
    const clock = fiber.getRef(Clock.Clock)
    const now = clock.currentTimeMillisUnsafe()
    const sentAt = state.sentAt ??= now
    const remaining = state.timeoutMillis - (now - sentAt)
    const own = transport.timesOut === true && clock === liveClock
    const sent = transport.send({ ...request, timeoutMillis: own ? remaining : Infinity, maxResponseSize, decompress })
    return Effect.mapError(
      own ? sent : Effect.timeoutOrElse(sent, { duration: remaining, orElse: timedOut }),
      (failure) => failureToError(failure, state)
    )
  })
