import { assert, describe, it } from "@effect/vitest"
import { REDACTED, redactHeaders, redactText, redactUrl, Secrets } from "../../src/core/secrets.js"

describe("core/secrets", () => {
  it("one rule for secret header names: built in, fragments, -key/_key, the user's; not the listed non-secrets", () => {
    const secrets = new Secrets(["X-Tenant"], ["tenant"])
    for (const name of ["Authorization", "cookie", "x-session-token", "x-client-key", "my_key", "X-TENANT"]) {
      assert.isTrue(secrets.isSecretHeader(name), name)
    }
    for (const name of ["accept", "www-authenticate", "idempotency-key", "sec-websocket-key"]) {
      assert.isFalse(secrets.isSecretHeader(name), name)
    }
    assert.isTrue(new Secrets(["idempotency-key"]).isSecretHeader("Idempotency-Key"))
  })

  it("one rule for secret query names: exact names, fragments, the user's", () => {
    const secrets = new Secrets([], ["tenant"])
    for (const name of ["sig", "KEY", "access_token", "client_secret", "Tenant"]) {
      assert.isTrue(secrets.isSecretQueryParam(name), name)
    }
    for (const name of ["page", "keys", "q"]) assert.isFalse(secrets.isSecretQueryParam(name), name)
  })

  it("redacts headers, URLs (userinfo, query, parameter-shaped fragment) and text", () => {
    assert.deepStrictEqual(redactHeaders({ Authorization: "Bearer t", Accept: ["a", "b"], gone: undefined }), {
      Authorization: REDACTED,
      Accept: "a, b"
    })
    assert.strictEqual(
      redactUrl("https://u:p@a.test/x?access%5Ftoken=t&page=2#id_token=i&state=s"),
      "https://a.test/x?access%5Ftoken=<redacted>&page=2#id_token=<redacted>&state=s"
    )
    assert.strictEqual(redactUrl("https://a.test/x?page=2#top"), "https://a.test/x?page=2#top")
    assert.strictEqual(redactText("//u:p@host/x?sig=1"), "//host/x?sig=<redacted>")
    assert.strictEqual(redactUrl("not a url?token=t"), "not a url?token=<redacted>")
  })

  it("redactUrl of a URL object: the same text as of its href, the object left as it was", () => {
    for (
      const href of [
        "https://u:p@a.test/x?access%5Ftoken=t&page=2#id_token=i&state=s",
        "https://a.test/x?token=t",
        "https://a.test/x?",
        "https://a.test:8443/x#top",
        "http://a.test/ok"
      ]
    ) {
      const url = new URL(href)
      assert.strictEqual(redactUrl(url), redactUrl(href), href)
      assert.strictEqual(url.href, new URL(href).href, href)
    }
  })
})
