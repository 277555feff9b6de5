import effectPlugin from "@effect/eslint-plugin"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "v4/node_modules/**", "coverage/**", "docs/**", "bench/.tmp/**"] },
  ...tseslint.configs.recommended,
  {
    plugins: { "@effect": effectPlugin },
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-unsafe-declaration-merging": "off",
      "no-restricted-syntax": ["error", {
        selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
        message: "Use effect/Random so tests can fix the seed."
      }]
    }
  },
  {
    // the Effect-free core: plain TypeScript, node: built-ins and undici, shared by every edition
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          regex: "^(effect|@effect)(/|$)",
          message: "src/core is Effect-free: convert to Effect types in src/internal or src/*.ts."
        }, {
          regex: "^\\.\\./",
          message: "src/core imports only src/core (./…), node: built-ins and undici, never src/internal or src/*.ts."
        }]
      }]
    }
  }
)
