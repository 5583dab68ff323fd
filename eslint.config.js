// One lint configuration for the whole repository: typescript-eslint's type-aware rules, so
// that floating promises (the classic way to lose an error in a consumer) fail the build.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Interfaces here return promises from async functions that need no await; not a defect.
      '@typescript-eslint/require-await': 'off',
      // Handles like { stop } are passed around as plain functions by design (factories, not classes).
      '@typescript-eslint/unbound-method': 'off',
      // knex's result types resolve differently for tsc and the linter; the casts tsc needs are flagged.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration in src/config.ts only.',
        },
      ],
    },
  },
  {
    files: [
      'src/config.ts',
      'src/stack/**',
      'test/**',
      'testkit/**',
      'bench/**',
      'scripts/**',
      'examples/**',
      'src/main.ts',
      'src/cli/**',
      'vitest.config.ts',
      'src/dev.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The operator's console: plain browser scripts, no build step (src/http/console/).
    files: ['src/http/console/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'fetch',
          'sessionStorage',
          'setInterval',
          'clearInterval',
          'Node',
          'uPlot',
          'console',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    // CommonJS configuration files (dependency-cruiser's).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
