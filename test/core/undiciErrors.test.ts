import { assert, describe, it } from "@effect/vitest"
import * as Undici from "undici"
import { TransportFailure } from "../../src/core/transportFailure.js"
import { classifyError, messageOf } from "../../src/core/undiciErrors.js"

const coded = (code: string, message = "", extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code }, extra)
const verdict = (error: unknown) => {
  const failure = classifyError(error)
  return [failure.reason, failure.invalid, failure.detail]
}

describe("core/undiciErrors", () => {
  it("network and server codes map to their transient reasons", () => {
    assert.deepStrictEqual(verdict(coded("ECONNREFUSED")), ["ConnectionRefused", undefined, undefined])
    assert.deepStrictEqual(verdict(coded("EHOSTUNREACH")), ["ConnectionRefused", undefined, "host unreachable"])
    assert.deepStrictEqual(verdict(coded("ECONNRESET")), ["ConnectionReset", undefined, undefined])
    assert.deepStrictEqual(verdict(coded("ETIMEDOUT")), ["ConnectTimeout", undefined, undefined])
    assert.deepStrictEqual(verdict(coded("EAI_AGAIN")), ["DnsFailure", undefined, undefined])
    assert.deepStrictEqual(verdict(new Undici.errors.HeadersTimeoutError()), ["HeadersTimeout", undefined, undefined])
    assert.deepStrictEqual(verdict(new Undici.errors.BodyTimeoutError()), ["BodyTimeout", undefined, undefined])
  })

  it("the server breaking HTTP is a ProtocolError", () => {
    assert.deepStrictEqual(verdict(coded("HPE_INVALID_CONSTANT")), ["ProtocolError", undefined, undefined])
    assert.deepStrictEqual(verdict(Object.assign(new Error("x"), { name: "HTTPParserError" })), [
      "ProtocolError",
      undefined,
      undefined
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.HeadersOverflowError()), [
      "ProtocolError",
      undefined,
      "the response's headers exceed the size limit"
    ])
  })

  it("the request's own fault is InvalidRequest, its reason from the table or the message", () => {
    assert.deepStrictEqual(verdict(new Undici.errors.RequestContentLengthMismatchError()), [
      "InvalidRequest",
      "InvalidBody",
      "the body's length does not match the request's content-length header"
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.InvalidArgumentError("invalid header key")), [
      "InvalidRequest",
      "InvalidHeader",
      undefined
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.InvalidArgumentError("invalid port")).slice(0, 2), [
      "InvalidRequest",
      "InvalidUrl"
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.InvalidArgumentError("invalid method")).slice(0, 2), [
      "InvalidRequest",
      "InvalidMethod"
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.InvalidArgumentError("invalid body")).slice(0, 2), [
      "InvalidRequest",
      "InvalidBody"
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.InvalidArgumentError("bad")).slice(0, 2), [
      "InvalidRequest",
      "InvalidOption"
    ])
    assert.deepStrictEqual(verdict(coded("ERR_INVALID_URL")).slice(0, 2), ["InvalidRequest", "InvalidUrl"])
  })

  it("messages decide within a code: other side closed, DNS through the info error, a status from RetryAgent", () => {
    assert.deepStrictEqual(verdict(new Undici.errors.SocketError("other side closed")), [
      "ConnectionReset",
      undefined,
      "the server closed the connection"
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.SocketError("reset")), ["ConnectionReset", undefined, undefined])
    assert.deepStrictEqual(verdict(new Undici.errors.InformationalError("No DNS entries found")), [
      "DnsFailure",
      undefined,
      undefined
    ])
    assert.deepStrictEqual(verdict(new Undici.errors.InformationalError("reset")), [
      "ConnectionReset",
      undefined,
      "the transport closed the socket: reset"
    ])
    assert.deepStrictEqual(verdict(coded("UND_ERR_REQ_RETRY", "", { statusCode: 503 })), [
      "Unknown",
      undefined,
      "status 503"
    ])
  })

  it("families by prefix: TLS, SOCKS5; AbortError by name", () => {
    assert.strictEqual(classifyError(coded("CERT_HAS_EXPIRED")).reason, "TlsFailure")
    assert.strictEqual(classifyError(coded("ERR_SSL_WRONG_VERSION_NUMBER")).reason, "TlsFailure")
    assert.strictEqual(classifyError(coded("EPROTO")).reason, "TlsFailure")
    assert.deepStrictEqual(verdict(coded("UND_ERR_SOCKS5_AUTH_FAILED")).slice(0, 2), [
      "InvalidRequest",
      "InvalidOption"
    ])
    assert.strictEqual(classifyError(coded("UND_ERR_SOCKS5_VERSION")).reason, "ProtocolError")
    assert.strictEqual(classifyError(coded("UND_ERR_SOCKS5_CONNECT")).reason, "ConnectionRefused")
    assert.strictEqual(classifyError(Object.assign(new Error(), { name: "AbortError" })).reason, "Aborted")
  })

  it("an unknown code, an inherited property name or no error object at all is Unknown, the error its cause", () => {
    const strange = coded("UND_ERR_SOMETHING_NEW")
    const failure = classifyError(strange)
    assert.deepStrictEqual([failure.reason, failure.cause], ["Unknown", strange])
    assert.strictEqual(classifyError(coded("constructor")).reason, "Unknown")
    assert.strictEqual(classifyError(coded("toString")).reason, "Unknown")
    assert.strictEqual(classifyError(undefined).reason, "Unknown")
    assert.strictEqual(classifyError("text").reason, "Unknown")
  })

  it("a TransportFailure passes through; messageOf reads a string message only", () => {
    const failure = new TransportFailure("Aborted")
    assert.strictEqual(classifyError(failure), failure)
    assert.strictEqual(messageOf(new Error("m")), "m")
    assert.strictEqual(messageOf({ message: 1 }), "")
    assert.strictEqual(messageOf(null), "")
  })
})
