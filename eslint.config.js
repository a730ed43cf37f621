// Lint: typescript-eslint's recommended rules plus the runtime boundary (see README "Layout").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'http2',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
const nativeOrRuntime = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp', 'pg', 'ws', '@ffmpeg-installer/ffmpeg'];

// Pure code runs in every process (main, renderer, browser host, tests): no Node, no Electron, no native modules.
const pureBoundary = {
  'no-restricted-imports': [
    'error',
    {
      paths: [...nodeBuiltins, ...nativeOrRuntime].map((name) => ({
        name,
        message:
          'Pure code (src/shared, src/liveness, src/renderer, src/console, src/web) must not import Node, Electron or native modules.',
      })),
      patterns: [
        { group: ['node:*'], message: 'Pure code must not import node:* modules.' },
        {
          group: ['**/node/**', '**/main/**', '**/server/**', '**/cli/**', '**/build/**', '**/testkit/**', '**/preload/**'],
          message: 'Pure code imports only src/shared and src/liveness; Node-side folders are reached through the IPC contract.',
        },
      ],
    },
  ],
};

// Plain Node code (src/node, src/server, src/cli, src/build, src/testkit) runs and is tested without Electron.
const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'Only the glue in src/main and src/preload may import electron.' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['.scratch*/**', 'node_modules/**', 'out/**', 'dist/**', 'models/**', 'artifacts/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Type-aware rules: a promise nobody awaits or catches loses its error (and, in the kiosk, a decision).
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  // React's rules of hooks, for every React app in the tree.
  {
    files: ['src/renderer/**/*.tsx', 'src/console/**/*.tsx', 'src/web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // Folders by runtime: src/shared and src/liveness run everywhere, src/renderer in the browser, src/main and
  // src/preload are the Electron glue, everything else is plain Node (src/build and src/testkit only at build/test time).
  {
    files: [
      'src/shared/**/*.ts',
      'src/liveness/**/*.ts',
      'src/renderer/**/*.{ts,tsx}',
      'src/console/**/*.{ts,tsx}',
      'src/web/**/*.{ts,tsx}',
    ],
    rules: pureBoundary,
  },
  { files: ['src/node/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts', 'src/build/**/*.ts', 'src/testkit/**/*.ts'], rules: noElectron },
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs', 'tools/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
