// Lint for src/, test/, bench/ (TypeScript) and scripts/ (Node CommonJS). Run by `npm test` and `npm run lint`.
// typescript-eslint's recommended rules without type information (fast; `npm run typecheck` does the typing).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/** A leading underscore marks a binding kept on purpose (omitting a key by destructuring, an unused parameter). */
const UNUSED = { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true };

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".venv/", "output/", "results/", ".jupyter-local/", ".cache/", "**/*.d.ts"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // tfjs handles, tslab's modules and parsed JSON are untyped at the edges; `npm run typecheck` is strict.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", UNUSED],
      // require() only for what must load lazily (optional or kernel-only packages, JSON beside the code) and for the
      // project's untyped CommonJS scripts in tests.
      "@typescript-eslint/no-require-imports": [
        "error",
        { allow: ["^@tensorflow/", "^tslab", "^plotly\\.js-dist-min", "^node:", "\\.json$", "^\\.\\./scripts/"] },
      ],
    },
  },
  {
    files: ["scripts/**/*.js", "kernel/**/*.js", "*.js", "*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "no-unused-vars": ["error", UNUSED] },
  },
  { files: ["*.mjs"], languageOptions: { sourceType: "module", globals: globals.node } },
);
