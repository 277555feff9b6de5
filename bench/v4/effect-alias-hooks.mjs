// The resolve hook of effect-alias.mjs: bare `effect` specifiers resolve as if imported from v4/package.json.
const anchor = new URL("../../v4/package.json", import.meta.url).href

export async function resolve(specifier, context, next) {
  if (specifier === "effect" || specifier.startsWith("effect/")) {
    return next(specifier, { ...context, parentURL: anchor })
  }
  return next(specifier, context)
}
