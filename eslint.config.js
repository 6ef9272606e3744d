// Flat config: typescript-eslint recommended rules plus mocha's guard against exclusive tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import mocha from 'eslint-plugin-mocha';

export default tseslint.config(
  { ignores: ['dist*/**', 'node_modules/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { mocha },
    rules: {
      'mocha/no-exclusive-tests': 'error',
      'mocha/no-pending-tests': 'error',
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The CLI and the benchmarks talk to a person on stdout/stderr.
    files: ['harness/cli/**/*.ts', 'test/bench/**/*.ts', '**/*.bench.ts'],
    rules: { 'no-console': 'off' },
  },
);
