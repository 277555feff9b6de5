/**
 * The transport: one import path for the client and the public `Transport` module. The exchange, the error table
 * and the connect log are Effect-free in src/core; the Effect face is split by concern in src/internal/transport/.
 * @internal
 */
export { connectedSince, connectSeq, loggedOrigins } from "../core/connectLog.js"
export type { InFlight } from "../core/exchange.js"
export { closeGracefully } from "../core/pool.js"
export { type InvalidRequestReason, invalidStatus, TransportFailure } from "../core/transportFailure.js"
export { classifyError } from "../core/undiciErrors.js"
export { layerHttpClient, makeHttpClientTransport } from "./transport/httpClient.js"
export { connectOptionsOf, keepAliveMillis, makeAgent, type UndiciPoolOptions } from "./transport/pool.js"
export {
  sendMappedOf,
  type StreamingResponse,
  Transport,
  type TransportRequest,
  type TransportService
} from "./transport/service.js"
export { layerFromDispatcher, layerUndici, makeUndiciTransport } from "./transport/undici.js"
