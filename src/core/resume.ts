/**
 * The rules of a resumable download (`stream` with `resume: true`), shared by both editions: what may validate a
 * range, the headers of the range request, whether a 206 continues the same resource at the right byte, and what to
 * do after a drop mid-body. Effect-free; the editions wire it to their streams and errors (`NotResumable`).
 * @internal
 */

/**
 * What one download remembers across its connections: the bytes delivered and the first response's validators.
 * @internal
 */
export class Download {
  /** bytes delivered so far (the next range starts here) */
  offset = 0
  /** `offset` at the last drop: a drop after progress resets the retry policy */
  offsetAtLastDrop = 0
  /** the first response's strong ETag, if any */
  etag: string | undefined = undefined
  /** what `If-Range` carries: the strong ETag, else Last-Modified */
  validator: string | undefined = undefined

  /** Notes the validators of the first response (the one to no range request). */
  first(headers: Record<string, string | undefined>): void {
    this.etag = strongEtag(headers)
    this.validator = this.etag ?? headers["last-modified"]
  }

  /** Whether the last connection delivered bytes since the drop before it (then the policy starts over). */
  progressed(): boolean {
    const progressed = this.offset > this.offsetAtLastDrop
    this.offsetAtLastDrop = this.offset
    return progressed
  }

  /**
   * Takes in the head of a response: the first one (`ranged` false) sets the validator, a range request's answer is
   * checked (`checkRange`); returns why the download cannot continue, else undefined.
   */
  open(ranged: boolean, status: number, headers: Record<string, string | undefined>): NotResumable | undefined {
    if (ranged) return this.checkRange(status, headers)
    this.first(headers)
    return undefined
  }

  /** Counts a chunk of delivered bytes; returns the bytes delivered so far. */
  count(chunk: Iterable<Uint8Array>): number {
    for (const bytes of chunk) this.offset += bytes.byteLength
    return this.offset
  }

  /**
   * After a drop mid-body: the headers of the next request (`{ headers }`, undefined headers to start over), `"fail"`
   * (no `resume`: fail with the drop's error) or why the download is not resumable (`afterDrop`, `rangeHeaders`).
   */
  next(resume: boolean): { readonly headers: Record<string, string> | undefined } | "fail" | NotResumable {
    const verdict = this.afterDrop(resume)
    return verdict === "fail" || verdict instanceof NotResumable ? verdict : { headers: this.rangeHeaders() }
  }

  /**
   * What to do after a drop mid-body: `"again"` when nothing was delivered (start over, with or without `resume`),
   * `"resume"` with a range request, `"fail"` with the drop's error (no `resume`), or the reason the download is
   * not resumable.
   */
  afterDrop(resume: boolean): "again" | "resume" | "fail" | NotResumable {
    if (this.offset === 0) return "again"
    if (!resume) return "fail"
    if (this.validator === undefined) {
      return new NotResumable("the response has neither a strong ETag nor Last-Modified")
    }
    return "resume"
  }

  /** The headers of the next request: none before any byte, else `Range: bytes=N-` and `If-Range`. */
  rangeHeaders(): Record<string, string> | undefined {
    return this.offset === 0 ? undefined : { range: `bytes=${this.offset}-`, "if-range": this.validator! }
  }

  /**
   * Why the response to a range request cannot continue the download (the server sent the whole body again, no
   * `Content-Range` starting at `offset`, another ETag), else undefined.
   */
  checkRange(status: number, headers: Record<string, string | undefined>): NotResumable | undefined {
    if (status === 200) return new NotResumable("the server sent the whole body again (200)")
    if (status !== 206) return new NotResumable(`status ${status} to a range request`)
    const contentRange = headers["content-range"]
    if (contentRange === undefined) {
      return new NotResumable(`the 206 has no Content-Range (expected a start at ${this.offset})`)
    }
    if (contentRangeStart(contentRange) !== this.offset) {
      return new NotResumable(`Content-Range ${JSON.stringify(contentRange)} does not start at ${this.offset}`)
    }
    const now = strongEtag(headers) ?? headers.etag
    if (this.etag !== undefined && now !== undefined && now !== this.etag) {
      return new NotResumable("the ETag changed")
    }
    return undefined
  }
}

/**
 * Why a download cannot continue without repeating or skipping bytes (the editions' `TransportError`
 * `NotResumable`'s detail).
 * @internal
 */
export class NotResumable {
  readonly _tag = "NotResumable"
  constructor(readonly detail: string) {}
}

/**
 * A strong ETag (a weak `W/` one cannot validate a range), else undefined.
 * @internal
 */
export const strongEtag = (headers: Record<string, string | undefined>): string | undefined => {
  const etag = headers.etag
  return etag === undefined || etag.startsWith("W/") ? undefined : etag
}

const CONTENT_RANGE = /^\s*bytes\s+(\d+)-\d+\/(?:\d+|\*)\s*$/i

/**
 * The first byte a `Content-Range: bytes a-b/n` names, else undefined.
 * @internal
 */
export const contentRangeStart = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const match = CONTENT_RANGE.exec(value)
  return match === null ? undefined : Number(match[1])
}
