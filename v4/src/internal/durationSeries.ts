/**
 * `http.client.request.duration` as the root entry records it: one update per attempt that got a response or failed
 * (an interrupted attempt or a defect is not recorded), its attributes bounded by the shared core's rules
 * (`src/core/durationAttributes.ts`: method and server `_OTHER`, at most `maxServerAddresses` servers process-wide,
 * `error.type`, the scheme's port).
 * @internal
 */
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Attributes from "../../../src/core/durationAttributes.js"
import { durationBuckets, metricNames } from "../../../src/core/telemetryNames.js"
import type { HttpResilientError } from "../HttpResilientError.js"
import type { Built } from "./request.js"

/** `http.client.request.duration` (public as `Telemetry.requestDuration`). @internal */
export const requestDuration = Metric.histogram(metricNames.requestDuration, {
  description: "Duration of HTTP client attempts, in seconds",
  boundaries: durationBuckets
})

/**
 * The duration histogram tagged with `values`, in the core's label order (`undefined`: no such attribute).
 * @internal
 */
export const withAttributes = (values: ReadonlyArray<string | undefined>): Metric.Histogram<number> => {
  const tags: Record<string, string> = {}
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (value !== undefined) tags[Attributes.durationLabels[i]] = value
  }
  return Metric.withAttributes(requestDuration, tags) as Metric.Histogram<number>
}

/** The servers given series of their own: one bound for v4's registry, process-wide as the registry is. */
const addressCap = Attributes.makeAddressCap()

/** How many duration series a client keeps made (beyond, a series' metric is made per update). */
const maxCached = 1024

/**
 * A client's recorder: the series of each combination of attributes made once (effect keys a series by its
 * attributes, a JSON of them per new metric).
 * @internal
 */
export const durationRecorder = () => {
  const cache = new Map<string, Metric.Metric<number, any>>()
  const context = Context.empty()
  return (built: Built, millis: number, answered: number | undefined, exit: Exit.Exit<any, any>): void => {
    let status = answered
    let type: string | undefined
    if (!Exit.isSuccess(exit)) {
      const found = Exit.findErrorOption(exit)
      if (found._tag === "None") return
      const error = found.value as HttpResilientError
      if (error._tag === "StatusError") status = error.status
      type = Attributes.errorTypeOf(error)
    }
    const url = built.url
    // `host` (the hostname and any port that is not the scheme's) names the server as well as hostname and port
    const key = `${built.method} ${url.protocol}${url.host} ${status ?? ""} ${type ?? ""}`
    let series = cache.get(key)
    if (series === undefined) {
      series = withAttributes(Attributes.durationValues(addressCap, built.method, url, status, type))
      if (cache.size < maxCached) cache.set(key, series)
    }
    series.updateUnsafe(millis / 1000, context)
  }
}
