// Lint rules for the whole tree: `npm run lint` (npm test runs it with --max-warnings 0, so every
// finding is an error to fix, never a warning to ignore).
//
// Type-aware typescript-eslint: each .ts file is linted with the types of the tsconfig nearest to it
// (tsconfig.json for server/, shared/, client-sim/, loadtest/; test/tsconfig.json for tests;
// web/tsconfig.json for the browser client), so rules such as no-floating-promises see what a call
// returns. The whole tree takes about 45 s of CPU.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**', 'data/**', 'loadtest/results/**'],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Files outside every tsconfig's folder get a default project.
        projectService: { allowDefaultProject: ['vitest.config.ts', 'scripts/*.d.mts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (a handler's fixed signature, a skipped
      // tuple slot); anything else unused is dead code.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Explicit: these are why the lint is type-aware (a dropped promise is a lost error or an
      // unordered write; an async callback where a sync one is expected loses its rejection).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Tests read decoded wire messages, JSON bodies and console replies whose shape is the very
    // thing each test asserts with `expect`; typing every one would restate the protocol in the
    // tests, and a wrong guess would be checked by nothing. So in tests `any` is allowed and using
    // an `any` value is not reported. Production code (server/, shared/, client-sim/, loadtest/,
    // web/) keeps every one of these rules.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (build scripts, a test's child process): no types to check against.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
