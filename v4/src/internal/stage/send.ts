/** @internal */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { RawResponse } from "../../../../src/core/exchange.js"
import type { TransportFailure } from "../../../../src/core/transportFailure.js"
import { type Attempt, failureToError } from "../attempt.js"
import type { Transport } from "../transport.js"

const timedOut = () => Effect.fail({ reason: "Timeout" } as TransportFailure)

/**
 * The last stage of a buffered attempt: the transport sends the request and reads the body into memory (up to
 * `maxResponseSize`), under what is left of the attempt's timeout (clipped to the deadline) since its first hop was
 * sent; interrupting the fiber aborts the socket.
 * @internal
 */
export const send = (
  transport: Transport,
  maxResponseSize: number,
  decompress: boolean
): Attempt<RawResponse> =>
(state, request) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const sentAt = state.sentAt ??= now
    const timeoutMillis = state.timeoutMillis
    return Effect.mapError(
      Effect.timeoutOrElse(
        transport.send({ ...request, timeoutMillis, maxResponseSize, decompress }),
        { duration: timeoutMillis - (now - sentAt), orElse: timedOut }
      ),
      (failure) => failureToError(failure, state)
    )
  })
