/**
 * The API docs as a static HTML site: turns the Markdown pages docgen writes (`npm run docs`, docs/modules/) into
 * docs-html/ — index.html listing the modules, one page per module — then checks that every local link and
 * `#fragment` on every page resolves, and exits 1 when one does not.
 *
 *   npm run docs && npm run docs:html
 */
import { Marked, type Tokens } from "marked"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** One Markdown page of docgen's, as read from docs/modules/. */
export interface SourcePage {
  /** the file name, e.g. `Backoff.ts.md` */
  readonly file: string
  readonly markdown: string
}

interface Page {
  readonly title: string
  readonly navOrder: number
  readonly href: string // relative to the site root
  readonly body: string // Markdown, front matter removed
  readonly summary: string // the overview's first paragraph (Markdown)
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/**
 * Heading ids as docgen's table of contents spells its links (`## DecorrelatedJitterOptions (type alias)` →
 * `#decorrelatedjitteroptions-type-alias`); a repeated heading gets `-1`, `-2` … like GitHub's.
 */
export const makeSlugger = () => {
  const seen = new Map<string, number>()
  return (text: string): string => {
    const base = text
      .replace(/<[^>]*>/g, "")
      .toLowerCase()
      .trim()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-")
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    return n === 0 ? base : `${base}-${n}`
  }
}

/** docgen's front matter (prettier turns its opening `---` into `***`): `title`, `nav_order`. */
const parseFrontMatter = (markdown: string): { readonly fields: Record<string, string>; readonly body: string } => {
  const match = /^(?:---|\*\*\*)\s*\n([\s\S]*?)\n---\s*\n/.exec(markdown)
  if (match === null) return { fields: {}, body: markdown }
  const fields: Record<string, string> = {}
  for (const line of match[1].split("\n")) {
    const kv = /^(\w+):\s*(.*)$/.exec(line.trim())
    if (kv !== null) fields[kv[1]] = kv[2]
  }
  return { fields, body: markdown.slice(match[0].length) }
}

const toPage = (source: SourcePage): Page => {
  const { body, fields } = parseFrontMatter(source.markdown)
  const heading = /^## .* overview[ \t]*\n/m.exec(body)
  const overview = heading === null ? "" : body.slice(heading.index + heading[0].length).trim().split(/\n\s*\n/)[0]
  return {
    title: fields.title ?? source.file.replace(/\.md$/, ""),
    navOrder: Number(fields.nav_order ?? Number.MAX_SAFE_INTEGER),
    href: `modules/${source.file.replace(/\.md$/, ".html")}`,
    body,
    summary: overview
  }
}

/** `Backoff.ts` → `Backoff`; the root module `index.ts` is the package itself. */
const moduleName = (page: Page): string =>
  page.title === "index.ts" ? "index (the package root)" : page.title.replace(/\.ts$/, "")

const style = `
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; display: flex; }
nav { width: 15rem; flex: none; padding: 1.5rem 1rem; border-right: 1px solid #d0d7de; min-height: 100vh;
  box-sizing: border-box; background: #f6f8fa; }
nav ul { list-style: none; padding: 0; margin: 0; } nav li { margin: .2rem 0; }
nav a { color: #0969da; text-decoration: none; } nav a[aria-current] { font-weight: 600; color: #1f2328; }
main { max-width: 60rem; padding: 1.5rem 2.5rem; min-width: 0; }
pre { background: #f6f8fa; padding: .8rem 1rem; overflow-x: auto; border-radius: 6px; font-size: 14px; }
code { font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
:not(pre) > code { background: #eff1f3; padding: .1em .3em; border-radius: 4px; }
h1, h2, h3 { line-height: 1.25; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
a { color: #0969da; } dt { font-weight: 600; } dd { margin: 0 0 1rem 0; }
`

const layout = (options: {
  readonly title: string
  readonly root: string // the path from this page to the site root: "" or "../"
  readonly pages: ReadonlyArray<Page>
  readonly current: string | undefined
  readonly content: string
  readonly project: string
}): string => {
  const nav = options.pages
    .map((p) => {
      const current = p.href === options.current ? " aria-current=\"page\"" : ""
      return `<li><a href="${options.root}${p.href}"${current}>${escapeHtml(moduleName(p))}</a></li>`
    })
    .join("\n")
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${style}</style>
</head>
<body>
<nav>
<p><a href="${options.root}index.html"><strong>${escapeHtml(options.project)}</strong></a></p>
<ul>
${nav}
</ul>
</nav>
<main>
${options.content}
</main>
</body>
</html>
`
}

/** The heading ids of a Markdown page, in order. */
const headingIds = (markdown: string): ReadonlyArray<{ readonly text: string; readonly id: string }> => {
  const slug = makeSlugger()
  return new Marked().lexer(markdown)
    .filter((t): t is Tokens.Heading => t.type === "heading")
    .map((t) => ({ text: t.text, id: slug(t.text) }))
}

/**
 * The site's files (path relative to the site root → HTML) for docgen's pages. `{@link X}` (left as text by docgen)
 * becomes a link to `X` on the same page, or to `name` on module `M` for `{@link M.name}`, when that heading exists.
 */
export const renderSite = (
  sources: ReadonlyArray<SourcePage>,
  project: { readonly name: string; readonly description: string }
): ReadonlyMap<string, string> => {
  const pages = sources
    .filter((s) => s.file !== "index.md") // docgen's Jekyll section stub: no content
    .map(toPage)
    .sort((a, b) => a.navOrder - b.navOrder || a.title.localeCompare(b.title))
  const ids = new Map(pages.map((p) => [p.href, headingIds(p.body)]))
  const idOf = (href: string, name: string) =>
    ids.get(href)?.find((h) => h.text === name || h.text.startsWith(`${name} (`))?.id
  const linkTo = (from: Page, target: string): string => {
    const local = idOf(from.href, target)
    if (local !== undefined) return `<a href="#${local}"><code>${escapeHtml(target)}</code></a>`
    const [module, ...rest] = target.split(".")
    const other = pages.find((p) => p.title === `${module}.ts`)
    const remote = other !== undefined && rest.length > 0 ? idOf(other.href, rest.join(".")) : undefined
    return other !== undefined && remote !== undefined
      ? `<a href="${other.href.replace(/^modules\//, "")}#${remote}"><code>${escapeHtml(target)}</code></a>`
      : `<code>${escapeHtml(target)}</code>`
  }
  const files = new Map<string, string>()
  for (const page of pages) {
    const slug = makeSlugger()
    const marked = new Marked({
      gfm: true,
      renderer: {
        heading({ depth, text, tokens }) {
          return `<h${depth} id="${slug(text)}">${this.parser.parseInline(tokens)}</h${depth}>\n`
        }
      }
    })
    const html = (marked.parse(page.body, { async: false }) as string)
      .replace(/\{@link\s+([\w.$]+)\s*\}/g, (_, target: string) => linkTo(page, target))
    files.set(
      page.href,
      layout({
        title: `${page.title} – ${project.name}`,
        root: "../",
        pages,
        current: page.href,
        content: html,
        project: project.name
      })
    )
  }
  const list = pages
    .map((p) => {
      const summary = p.summary === "" ? "" : new Marked().parseInline(p.summary, { async: false }) as string
      return `<dt><a href="${p.href}">${escapeHtml(moduleName(p))}</a></dt>\n<dd>${summary}</dd>`
    })
    .join("\n")
  files.set(
    "index.html",
    layout({
      title: `${project.name} API`,
      root: "",
      pages,
      current: undefined,
      project: project.name,
      content: `<h1>${escapeHtml(project.name)} API</h1>\n<p>${escapeHtml(project.description)}</p>\n` +
        `<h2 id="modules">Modules</h2>\n<dl>\n${list}\n</dl>`
    })
  )
  return files
}

/**
 * Every local `href`/`src` of every page whose file, or `#fragment` in it, does not exist in `files` (paths relative
 * to the site root). External (`scheme:`) links are not followed.
 */
export const brokenLinks = (files: ReadonlyMap<string, string>): ReadonlyArray<string> => {
  const idsOf = new Map<string, ReadonlySet<string>>()
  for (const [path, html] of files) idsOf.set(path, new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1])))
  const broken: Array<string> = []
  for (const [path, html] of files) {
    for (const [, link] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue
      const [target, fragment] = link.split("#", 2)
      const file = target === ""
        ? path
        : join(dirname(path), decodeURIComponent(target)).split("\\").join("/")
      const ids = idsOf.get(file)
      if (ids === undefined) broken.push(`${path}: ${link} (no page ${file})`)
      else if (fragment !== undefined && fragment !== "" && !ids.has(decodeURIComponent(fragment))) {
        broken.push(`${path}: ${link} (no id "${fragment}" in ${file})`)
      }
    }
  }
  return broken
}

const main = () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
  const modulesDir = join(root, "docs", "modules")
  const outDir = join(root, "docs-html")
  if (!existsSync(modulesDir)) {
    console.error("docs/modules/ not found: run `npm run docs` first")
    process.exit(1)
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  const sources = readdirSync(modulesDir)
    .filter((f) => f.endsWith(".md"))
    .map((file) => ({ file, markdown: readFileSync(join(modulesDir, file), "utf8") }))
  const files = renderSite(sources, { name: pkg.name, description: pkg.description })
  rmSync(outDir, { recursive: true, force: true })
  for (const [path, html] of files) {
    mkdirSync(dirname(join(outDir, path)), { recursive: true })
    writeFileSync(join(outDir, path), html)
  }
  const broken = brokenLinks(files)
  if (broken.length > 0) {
    console.error(`${broken.length} broken link(s) in docs-html/:\n  ${broken.join("\n  ")}`)
    process.exit(1)
  }
  console.log(`docs-html/: ${files.size} pages, every local link resolves (open docs-html/index.html)`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
