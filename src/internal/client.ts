/**
 * The client: its service and tag, and `make`, which wires a client's parts once: its events, protections, request
 * preparation, the attempt pipeline (`pipeline.ts`) and the whole call (`call.ts`). The service is the public face
 * (`request`, `subscribe`); the parts are kept beside it (`internalsOf`). Layers are in `layers.ts`, what public
 * modules do with the service in `clientOps.ts`.
 * @internal
 */
import { makeRunIn, requestOf } from "./call.js"
import type { ResolvedConfig } from "./config.js"
import * as EventHub from "./eventHub.js"
import * as Pipeline from "./pipeline.js"
import { makePrepare, makeValidate } from "./prepare.js"
import { Protections } from "./protections.js"
import type * as RateLimiter from "./rateLimiter.js"
import { resolveRoutes, routeFinder } from "./routes.js"
import type * as Transport from "./transport.js"

import { register, type ResilientClientService } from "./service.js"

export type { RetryBudgetHandle } from "./retryBudget.js"

export {
  type ClientInternals,
  findInternals,
  internalsOf,
  requestIn,
  ResilientClient,
  type ResilientClientService
} from "./service.js"

/** @internal */
export const make = (
  config: ResolvedConfig,
  transport: Transport.TransportService,
  /** The rate limiter over a shared store (Redis); a memory one is made when needed and not given. */
  rateLimiter?: RateLimiter.ExperimentalLimiter | undefined
): ResilientClientService => {
  const hub = EventHub.make(config.options)
  const protections = new Protections(config.protections, hub.publish, rateLimiter, config.maxOrigins)
  const validate = makeValidate(config)
  const prepare = makePrepare(config)
  const parts = { config, transport, protections, hub }
  const hedgeClient = { retryBudget: protections.retryBudget, publish: hub.publish, hasListeners: hub.hasListeners }
  const pipeline = Pipeline.buffered(parts)
  const attempt = Pipeline.runBuffered(pipeline, config)
  const hedgeClientOf = () => hedgeClient
  const clientRun = makeRunIn({
    config,
    validate,
    prepare,
    attempt,
    attemptIn: Pipeline.runBufferedIn(pipeline, config),
    hedge: protections.hedge,
    hedgeClientOf
  })
  const routes = resolveRoutes(config)
  let run = clientRun
  if (routes !== undefined) {
    // each route: its own pipeline and call over the client's configuration with the route's fields, and its own
    // breakers and bulkhead where it sets them (the client's elsewhere)
    const runs = routes.map((route) => {
      const routeProtections = new Protections(config.protections, hub.publish, rateLimiter, config.maxOrigins, {
        parent: protections,
        label: route.label,
        circuitBreaker: route.circuitBreaker,
        bulkhead: route.bulkhead
      })
      const routePipeline = Pipeline.buffered({ config: route.config, transport, protections: routeProtections, hub })
      return makeRunIn({
        config: route.config,
        validate,
        prepare,
        attempt: Pipeline.runBuffered(routePipeline, route.config),
        attemptIn: Pipeline.runBufferedIn(routePipeline, route.config),
        hedge: protections.hedge,
        hedgeClientOf
      })
    })
    const find = routeFinder(routes, config)
    // the call of the route the request takes, run by the calling fiber as the client's own call is (`requestIn`)
    run = (fiber, method, url, options) => {
      const index = find(method, url)
      return index < 0 ? clientRun(fiber, method, url, options) : runs[index](fiber, method, url, options)
    }
  }
  const service: ResilientClientService = { request: requestOf(run), subscribe: hub.subscribe }
  register(service, {
    config,
    transport,
    validate,
    prepare,
    attempt,
    publish: hub.publish,
    hasListeners: hub.hasListeners,
    subscribe: hub.subscribe,
    retryBudget: protections.retryBudget,
    protections
  })
  return service
}
