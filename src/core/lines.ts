/**
 * Text split into lines across chunks: a line ends with `\n`, `\r\n` or a lone `\r`, also when a `\r\n` is split
 * between two chunks. Effect-free.
 * @internal
 */

/**
 * An incremental line splitter: `feed` each chunk of text and get the lines it completes, then `end` for the last
 * line when it has no line end (an empty text at the end is no line).
 * @internal
 */
export class LineSplitter {
  private partial = ""
  /** the previous chunk ended with "\r": a "\n" opening the next one belongs to it */
  private afterCr = false

  /** The lines the chunk completes, in order. */
  feed(text: string): Array<string> {
    if (text.length === 0) return []
    const out: Array<string> = []
    let start = this.afterCr && text.charCodeAt(0) === 10 ? 1 : 0
    this.afterCr = false
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      out.push(this.partial + text.slice(start, i))
      this.partial = ""
      if (c === 13) {
        if (i + 1 === text.length) this.afterCr = true
        else if (text.charCodeAt(i + 1) === 10) i++
      }
      start = i + 1
    }
    this.partial += text.slice(start)
    return out
  }

  /** The last line, when the text did not end with a line end; `undefined` otherwise. */
  end(): string | undefined {
    return this.partial.length > 0 ? this.partial : undefined
  }

  /** `end` as a list: the last line alone, or none. */
  rest(): Array<string> {
    const last = this.end()
    return last === undefined ? [] : [last]
  }
}
