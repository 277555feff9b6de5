/**
 * The safe views every `HttpResilientError` has: `toJSON`, the inspected form and `toString` show its own fields,
 * a cause reduced to one line and no response object, so nothing secret that a cause or a response holds is shown.
 * @internal
 */
import * as Duration from "effect/Duration"
import { describeCause } from "../core/errorText.js"

const nodeInspect = Symbol.for("nodejs.util.inspect.custom")

/** JSON view of an error: its own fields, with `cause` reduced to a message and no response object. */
const safeJson = (self: Record<string, unknown>, omit: ReadonlyArray<string> = []): Record<string, unknown> => {
  const out: Record<string, unknown> = { _tag: self._tag }
  for (const key of Object.keys(self)) {
    if (key === "cause" || key === "response" || key === "lastError" || omit.includes(key)) continue
    const value = self[key]
    out[key] = Duration.isDuration(value) ? Duration.format(value) : value
  }
  if ("lastError" in self && self.lastError !== undefined) {
    out.lastError = (self.lastError as { toJSON?: () => unknown }).toJSON?.() ?? String(self.lastError)
  }
  if (self.cause !== undefined) out.cause = describeCause(self.cause)
  out.message = self.message
  return out
}

/**
 * Installs `toJSON`, the inspected form and `toString` on an error class's prototype; `omit` names fields left out.
 * @internal
 */
export const installSafeViews = (proto: object, omit: ReadonlyArray<string> = []) => {
  Object.defineProperty(proto, "toJSON", {
    value(this: Record<string, unknown>) {
      return safeJson(this, omit)
    },
    writable: true,
    configurable: true
  })
  Object.defineProperty(proto, nodeInspect, {
    value(this: Record<string, unknown>) {
      const json = safeJson(this, omit)
      const stack = (this as { stack?: string }).stack
      return stack ? Object.assign(new SafeInspect(stack), json) : json
    },
    writable: true,
    configurable: true
  })
  Object.defineProperty(proto, "toString", {
    value(this: { _tag: string; message: string }) {
      return `${this._tag}: ${this.message}`
    },
    writable: true,
    configurable: true
  })
}

class SafeInspect {
  constructor(readonly stack: string) {}
}
