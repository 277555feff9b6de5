/** Every string form a value can take on its way out of the process, for tests that look for leaked secrets. */
import { Cause } from "effect"
import { inspect } from "node:util"

export const forms = (value: unknown): Array<string> => {
  const out = [inspect(value, { depth: 20 }), String(value)]
  try {
    out.push(JSON.stringify(value) ?? "")
  } catch {
    // circular: inspect covers it
  }
  if (Cause.isCause(value)) out.push(Cause.pretty(value))
  else out.push(Cause.pretty(Cause.fail(value)))
  if (value instanceof Error || (typeof value === "object" && value !== null && "message" in value)) {
    out.push(String((value as { message: unknown }).message))
  }
  return out
}
