// Flat config: typescript-eslint recommended rules, mocha's guard against exclusive tests, and the layers.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import mocha from 'eslint-plugin-mocha';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The layers of harness/, lowest first (README.md "Layout"). A folder may import any folder of a
 * lower rank; folders of the same rank never import each other. `scenario` (schema, loader, matrix) needs
 * only `common`, so it sits beside `crypto`: every layer from `emv` up may read scenarios.
 */
export const LAYERS = [
  ['common'],
  ['crypto', 'scenario'],
  ['emv'],
  ['iso8583'],
  ['pos-protocol', 'cards', 'nexo', 'zvt'],
  ['host', 'net'],
  ['emulator'],
  ['capabilities'],
  ['drivers'],
  ['bench'],
  ['runner', 'lab'],
  ['report'],
  ['cli'],
];

/** The doors in (`harness/index.ts`, `payhil/testing`): they may import every layer; no layer imports them. */
const PUBLIC = 'public';

/** Tests and benchmarks wire real components of any layer together: the layer rule does not apply to them. */
const TEST_FILES = ['**/*.test.ts', '**/*.bench.ts', '**/*.test-helper.ts', 'test/**/*.ts'];

function layerPolicies() {
  const policies = LAYERS.flatMap((rank, i) => {
    const below = LAYERS.slice(0, i).flat();
    return rank.map((type) => ({
      from: { element: { type } },
      allow: { to: { element: { types: { anyOf: [type, ...below] } } } },
    }));
  });
  const everything = { to: { element: { types: { anyOf: [PUBLIC, ...LAYERS.flat()] } } } };
  policies.push({ from: { element: { type: PUBLIC } }, allow: everything });
  policies.push({ from: { file: { categories: PUBLIC } }, allow: everything });
  // The public API imports the layers, never the reverse.
  policies.push({
    from: { element: { types: { anyOf: LAYERS.flat() } } },
    disallow: { to: { file: { categories: PUBLIC } } },
    message: 'harness/index.ts is the door in for users: no layer imports it',
  });
  // DESIGN.md: the emulator and the host never import each other (what both need is in pos-protocol).
  policies.push({
    from: { element: { type: 'emulator' } },
    disallow: { to: { element: { type: 'host' } } },
    message: 'the emulator never imports the host: what both need lives in pos-protocol/',
  });
  return policies;
}

function layerRule() {
  return ['error', { default: 'disallow', policies: layerPolicies() }];
}

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
  {
    files: ['harness/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': {
        [fileURLToPath(new URL('test/lint/ts-import-resolver.cjs', import.meta.url))]: {},
      },
      'boundaries/files': [{ category: PUBLIC, pattern: 'harness/index.ts' }],
      'boundaries/elements': [
        { type: PUBLIC, pattern: 'harness/testing' },
        ...LAYERS.flat().map((type) => ({ type, pattern: `harness/${type}` })),
      ],
    },
    rules: { 'boundaries/dependencies': layerRule() },
  },
  { files: TEST_FILES, rules: { 'boundaries/dependencies': 'off' } },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { URL: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
