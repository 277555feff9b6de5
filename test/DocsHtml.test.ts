/**
 * `npm run docs:html`: docgen's Markdown pages become an HTML site whose local links all resolve, and the link
 * check finds a link that does not.
 */
import { assert, describe, it } from "@effect/vitest"
import { brokenLinks, makeSlugger, renderSite } from "../scripts/docsHtml.js"

// docgen's page shape: front matter (prettier turns its opening --- into ***), overview, table of contents
const backoff = `***

title: Backoff.ts
nav_order: 1
parent: Modules
---

## Backoff overview

Backoff strategies as Effect \`Schedule\`s,
over two lines.

More text.

---

<h2 class="text-delta">Table of contents</h2>

- [constructors](#constructors)
  - [exponential](#exponential)
- [models](#models)
  - [ExponentialOptions (type alias)](#exponentialoptions-type-alias)

---

# constructors

## exponential

Options in {@link ExponentialOptions}; see {@link RetryPolicy.make} and {@link Nowhere}.

\`\`\`ts
const a = 1 < 2
\`\`\`

# models

## ExponentialOptions (type alias)
`

const retryPolicy = `---
title: RetryPolicy.ts
nav_order: 2
parent: Modules
---

## RetryPolicy overview

Retry policies.

# constructors

## make
`

const project = { name: "effect-http-resilient", description: "A resilient HTTP client." }
const sources = [
  { file: "Backoff.ts.md", markdown: backoff },
  { file: "RetryPolicy.ts.md", markdown: retryPolicy },
  { file: "index.md", markdown: "---\ntitle: Modules\n---\n" }
]

describe("docs:html", () => {
  it("an index of the modules and one page per module, every local link resolving", () => {
    const files = renderSite(sources, project)
    assert.deepStrictEqual([...files.keys()].sort(), [
      "index.html",
      "modules/Backoff.ts.html",
      "modules/RetryPolicy.ts.html"
    ])
    const index = files.get("index.html")!
    assert.include(index, "<a href=\"modules/Backoff.ts.html\">Backoff</a>")
    assert.include(index, "<dd>Backoff strategies as Effect <code>Schedule</code>s,\nover two lines.</dd>")
    assert.notInclude(index, "More text")
    const page = files.get("modules/Backoff.ts.html")!
    assert.match(page, /^<!doctype html>/)
    assert.include(page, "<title>Backoff.ts – effect-http-resilient</title>")
    assert.notInclude(page, "nav_order")
    assert.include(page, "<h2 id=\"exponentialoptions-type-alias\">ExponentialOptions (type alias)</h2>")
    assert.include(page, "<a href=\"#exponentialoptions-type-alias\">ExponentialOptions (type alias)</a>")
    assert.include(page, "<a href=\"../index.html\">")
    assert.include(page, "<code class=\"language-ts\">const a = 1 &lt; 2")
    // {@link}: on the page, on another module's page, or just code
    assert.include(page, "<a href=\"#exponentialoptions-type-alias\"><code>ExponentialOptions</code></a>")
    assert.include(page, "<a href=\"RetryPolicy.ts.html#make\"><code>RetryPolicy.make</code></a>")
    assert.include(page, " <code>Nowhere</code>.")
    assert.deepStrictEqual(brokenLinks(files), [])
  })

  it("the link check reports a missing page and a missing fragment", () => {
    const files = new Map([
      [
        "index.html",
        "<a href=\"modules/A.html#x\">a</a> <a href=\"modules/B.html\">b</a> <a href=\"https://x.test/\">"
      ],
      [
        "modules/A.html",
        "<h1 id=\"y\">A</h1><a href=\"../index.html\">home</a><a href=\"#y\">y</a><a href=\"#z\">z</a>"
      ]
    ])
    assert.deepStrictEqual(brokenLinks(files), [
      "index.html: modules/A.html#x (no id \"x\" in modules/A.html)",
      "index.html: modules/B.html (no page modules/B.html)",
      "modules/A.html: #z (no id \"z\" in modules/A.html)"
    ])
  })

  it("heading ids as docgen's table of contents links them", () => {
    const slug = makeSlugger()
    assert.strictEqual(slug("DecorrelatedJitterOptions (type alias)"), "decorrelatedjitteroptions-type-alias")
    assert.strictEqual(slug("Backoff overview"), "backoff-overview")
    assert.strictEqual(slug("defaults"), "defaults")
    assert.strictEqual(slug("defaults"), "defaults-1")
  })
})
