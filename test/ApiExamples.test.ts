/**
 * Every public value export (src/*.ts, not src/internal/) carries an `@example`, and every example compiles.
 *
 * `npm run docs` (docgen) type-checks and runs the examples of constants, functions, interfaces, type aliases and
 * namespaces, but not those of classes or of `export { ... }` re-exports: this file type-checks and runs those.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import ts from "typescript"

const root = resolve(import.meta.dirname, "..")
const srcDir = join(root, "src")

type PublicExport = {
  readonly name: string // Module.export
  readonly kind: string
  readonly examples: ReadonlyArray<string>
  readonly checkedByDocgen: boolean
}

const jsDocOf = (node: ts.Node, text: string): string =>
  (ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [])
    .map((r) => text.slice(r.pos, r.end))
    .filter((c) => c.startsWith("/**"))
    .join("\n")

const examplesIn = (jsDoc: string): ReadonlyArray<string> => {
  const lines = jsDoc.split("\n").map((l) => l.replace(/^\s*\*( |$)/, "").replace(/^\s*\/\*\*\s?/, ""))
  const out: Array<string> = []
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim().startsWith("@example")) continue
    const open = lines.findIndex((l, j) => j > i && l.trim().startsWith("```"))
    const close = lines.findIndex((l, j) => j > open && l.trim() === "```")
    out.push(open < 0 || close < 0 ? "" : lines.slice(open + 1, close).join("\n"))
  }
  return out
}

/** The value exports of one module, with the JSDoc node that documents each (what docgen reads). */
const publicExports = (file: string): ReadonlyArray<PublicExport> => {
  const text = readFileSync(join(srcDir, file), "utf8")
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const module = file.replace(/\.ts$/, "")
  const out: Array<PublicExport> = []
  const isExported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  const add = (name: string, kind: string, docs: ReadonlyArray<ts.Node>, checkedByDocgen: boolean) =>
    out.push({
      name: `${module}.${name}`,
      kind,
      examples: docs.flatMap((d) => examplesIn(jsDocOf(d, text))),
      checkedByDocgen
    })
  const functions = new Map<string, Array<ts.Node>>()
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const d of statement.declarationList.declarations) add(d.name.getText(), "constant", [statement], true)
    } else if (ts.isFunctionDeclaration(statement) && isExported(statement) && statement.name) {
      const overloads = functions.get(statement.name.text) ?? []
      if (overloads.length === 0) functions.set(statement.name.text, overloads)
      overloads.push(statement)
    } else if (ts.isClassDeclaration(statement) && isExported(statement) && statement.name) {
      add(statement.name.text, "class", [statement], false)
    } else if (ts.isEnumDeclaration(statement) && isExported(statement)) {
      add(statement.name.text, "enum", [statement], false)
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.exportClause) {
      // `export * as Backoff from "./Backoff.js"` (index.ts) is a module: its page is the module's own page
      if (!ts.isNamedExports(statement.exportClause)) continue
      for (const specifier of statement.exportClause.elements) {
        if (specifier.isTypeOnly) continue
        const local = (specifier.propertyName ?? specifier.name).getText()
        const isType = source.statements.some((s) =>
          (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name.text === local
        )
        if (!isType) add(specifier.name.getText(), "re-export", [specifier], false)
      }
    }
  }
  for (const [name, overloads] of functions) add(name, "function", overloads, true)
  return out
}

const modules = readdirSync(srcDir).filter((f) => f.endsWith(".ts")).sort()
const all = modules.flatMap(publicExports)

describe("API examples", () => {
  it("finds the public value exports", () => {
    assert.isAbove(all.length, 100)
    assert.isTrue(all.some((e) => e.name === "HttpResilient.get"))
    assert.isTrue(all.some((e) => e.name === "HttpResilientError.StatusError" && e.kind === "class"))
    assert.isTrue(all.some((e) => e.name === "RetryPolicy.default" && e.kind === "re-export"))
  })

  it("every public value export has an @example with code", () => {
    const missing = all.filter((e) => e.examples.length === 0).map((e) => e.name)
    assert.deepStrictEqual(missing, [], `value exports without an @example:\n  ${missing.join("\n  ")}`)
    const empty = all.filter((e) => e.examples.some((x) => x.trim() === "")).map((e) => e.name)
    assert.deepStrictEqual(empty, [], "an @example without a ```ts code block")
  })

  it("examples docgen does not check (classes, re-exports) type-check and run", () => {
    const unchecked = all.filter((e) => !e.checkedByDocgen).flatMap((e) =>
      e.examples.map((body, i) => ({ id: `${e.name.replace(/\W/g, "_")}_${i}`, body }))
    )
    const config = JSON.parse(readFileSync(join(root, "docgen.json"), "utf8"))
    const dir = mkdtempSync(join(root, ".api-examples-"))
    try {
      // the same import rewrite docgen does: "effect-http-resilient" is src/index.ts
      const files = unchecked.map(({ body, id }) => {
        const path = join(dir, `${id}.ts`)
        // and docgen's implicit `assert` import
        const code = body.includes("assert.") ? `import * as assert from "node:assert"\n${body}` : body
        writeFileSync(
          path,
          code.replace(/from "effect-http-resilient(\/[^"]*)?"/g, (_, sub) => `from "../src${sub ?? "/index"}.ts"`)
        )
        return path
      })
      const { options, errors } = ts.convertCompilerOptionsFromJson(
        { ...config.examplesCompilerOptions, paths: undefined },
        root
      )
      assert.deepStrictEqual(errors, [])
      const program = ts.createProgram(files, options)
      // the examples only: src itself is type-checked by `npm run typecheck`
      const examples = files.map((f) => program.getSourceFile(f)!)
      const diagnostics = [
        ...program.getOptionsDiagnostics(),
        ...examples.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])
      ].map((d) =>
        `${d.file ? d.file.fileName.slice(dir.length + 1) : ""}: ${
          ts.flattenDiagnosticMessageText(d.messageText, "\n")
        }`
      )
      assert.deepStrictEqual(diagnostics, [])
      const index = join(dir, "index.ts")
      writeFileSync(index, unchecked.map(({ id }) => `import "./${id}.ts"\n`).join(""))
      try {
        execFileSync(process.execPath, ["--import", "tsx", index], { cwd: root, encoding: "utf8", timeout: 60_000 })
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string }
        assert.fail(`${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
