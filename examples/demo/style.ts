/**
 * Colour on a terminal, plain text when piped or with NO_COLOR.
 */
const enabled = process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== "dumb"

const wrap = (open: number, close: number) => (s: string) => enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s

export const bold = wrap(1, 22)
export const dim = wrap(2, 22)
export const red = wrap(31, 39)
export const green = wrap(32, 39)
export const yellow = wrap(33, 39)
export const blue = wrap(34, 39)
export const magenta = wrap(35, 39)
export const cyan = wrap(36, 39)
