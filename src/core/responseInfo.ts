/**
 * The call facts of an error about a response's body (`DecodeError` of `HttpResilient.json`), both editions.
 * @internal
 */
import type { RequestInfo } from "./models.js"
import { redactUrl } from "./secrets.js"

/**
 * The request facts of `response`: its method, its URL as the client showed it (`redactedUrl`, set on the client's
 * own responses, which know the client's secret names) or else by the built-in redaction, and the attempt that
 * answered (`attempt`, else 1 for a response from elsewhere).
 * @internal
 */
export const responseInfo = (
  response: { readonly request: { readonly method: string; readonly url: string } }
): RequestInfo => ({
  method: response.request.method,
  url: (response as { redactedUrl?: string }).redactedUrl ??
    redactUrl((response as { url?: string }).url ?? response.request.url),
  attempt: (response as { attempt?: number }).attempt ?? 1
})
