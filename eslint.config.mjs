// Typecheck-aware lint: typescript-eslint's recommended rules plus Pulumi's rule that
// flags Outputs interpolated into template literals (they render as "Calling [toString]...").
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config({ ignores: ["node_modules/**", "**/node_modules/**", "out/**", "**/*.js", "**/*.mjs"] }, ...tseslint.configs.recommended, {
    files: ["**/*.ts"],
    languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
        "@pulumi/no-output-in-template-literal": "error",
        "@pulumi/no-output-instance-in-template-literal": "error",
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
});
