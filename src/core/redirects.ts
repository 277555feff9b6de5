/**
 * Where a redirect leads: the rules both editions follow redirects by (inside one attempt). Effect-free: the body
 * is the edition's own type, and a refused hop is plain data the edition turns into its `TransportError`.
 * @internal
 */
import { redactUrl, type Secrets } from "./secrets.js"

/**
 * The statuses that redirect.
 * @internal
 */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/**
 * One request of a chain of redirects.
 * @internal
 */
export interface Hop<B> {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: B
}

/**
 * A redirect not followed: a loop, too many, or https: to http: when not allowed.
 * @internal
 */
export class RedirectRefused {
  readonly _tag = "RedirectRefused"
  constructor(readonly reason: "RedirectLoop" | "TooManyRedirects" | "InsecureRedirect", readonly detail: string) {}
}

/**
 * The request a redirect leads to, or `undefined` when the response is to be handed back as it is (not a redirect,
 * redirects off, no usable `Location`, or a method/body that may not follow), or a {@link RedirectRefused}.
 * 301/302 follow for GET and HEAD only; 303 becomes a GET (HEAD stays HEAD) with `emptyBody`; 307/308 keep the
 * method and body when the body can be sent again. A hop to another origin carries no secret header (the client's
 * one rule, `Secrets.isSecretHeader`: what is redacted is what is dropped) and no `Host`; a hop from https: to http:
 * is refused (`InsecureRedirect`) unless allowed.
 * @internal
 */
export const redirectHop = <B>(
  request: Hop<B>,
  response: { readonly status: number; readonly location: string | undefined },
  chain: {
    readonly replayable: boolean
    readonly redirects: number
    readonly maxRedirects: number
    readonly visited: Set<string> | undefined
  },
  rules: { readonly redacted: Secrets; readonly allowInsecureRedirects: boolean },
  emptyBody: B
): (Hop<B> & { readonly visited: Set<string> }) | RedirectRefused | undefined => {
  const { location, status } = response
  if (!redirectStatuses.has(status) || chain.maxRedirects === 0 || location === undefined) return undefined
  const { body, headers, method, url } = request
  let nextMethod = method
  let nextBody = body
  if (status === 303) {
    if (method !== "HEAD") nextMethod = "GET"
    nextBody = emptyBody
  } else if (status === 301 || status === 302) {
    if (method !== "GET" && method !== "HEAD") return undefined
  } else if (method !== "GET" && method !== "HEAD" && !chain.replayable) {
    return undefined
  }
  let next: URL
  try {
    next = new URL(location, url)
  } catch {
    return undefined
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") return undefined
  if (url.protocol === "https:" && next.protocol === "http:" && !rules.allowInsecureRedirects) {
    const shown = redactUrl(next, rules.redacted)
    return new RedirectRefused("InsecureRedirect", `to ${shown}; set allowInsecureRedirects: true to follow`)
  }
  const seen = chain.visited ?? new Set([`${method} ${url.href}`])
  const key = `${nextMethod} ${next.href}`
  if (seen.has(key)) return new RedirectRefused("RedirectLoop", `back to ${redactUrl(next, rules.redacted)}`)
  if (chain.redirects >= chain.maxRedirects) {
    return new RedirectRefused("TooManyRedirects", `more than ${chain.maxRedirects}`)
  }
  seen.add(key)
  let nextHeaders = headers
  if (next.origin !== url.origin || nextBody !== body) {
    nextHeaders = { ...headers }
    if (next.origin !== url.origin) {
      for (const name in nextHeaders) {
        if (name === "host" || rules.redacted.isSecretHeader(name)) delete nextHeaders[name]
      }
    }
    if (nextBody !== body) {
      delete nextHeaders["content-type"]
      delete nextHeaders["content-length"]
    }
  }
  return { method: nextMethod, url: next, headers: nextHeaders, body: nextBody, visited: seen }
}
