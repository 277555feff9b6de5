/**
 * The answer of an `acceptResponse` check, read the same way by both editions.
 * @internal
 */

/**
 * What a check's answer says: `true` accepts the response, `false` rejects it (`ResponseRejectedError`); anything
 * else is a bug in the check, a `TypeError` to report as the check's failure (`InterceptorError`).
 * @internal
 */
export const readAnswer = (answer: unknown): boolean | TypeError =>
  answer === true || answer === false
    ? answer
    : new TypeError(`acceptResponse answered ${answer === null ? "null" : typeof answer}, not true or false`)
