// Lint: typescript-eslint's recommended rules plus the runtime boundary (see README "Layout").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'https', 'http2', 'net', 'os', 'path', 'process', 'readline', 'stream', 'tls', 'url', 'util',
  'v8', 'vm', 'worker_threads', 'zlib',
];
const nativeOrRuntime = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp', 'pg', 'ws', '@ffmpeg-installer/ffmpeg'];

// Pure code runs in every process (main, renderer, browser host, tests): no Node, no Electron, no native modules.
const pureBoundary = {
  'no-restricted-imports': ['error', {
    paths: [...nodeBuiltins, ...nativeOrRuntime].map((name) => ({
      name,
      message: 'Pure code (src/shared, src/main/liveness) must not import Node, Electron or native modules.',
    })),
    patterns: [{ group: ['node:*'], message: 'Pure code must not import node:* modules.' }],
  }],
};

// Everything in src/main except the thin glue runs in plain Node and must not import electron.
const noElectron = {
  'no-restricted-imports': ['error', {
    paths: [{ name: 'electron', message: 'Only the glue in src/main/*.ts and src/preload may import electron.' }],
  }],
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
  { files: ['src/shared/**/*.ts', 'src/main/liveness/**/*.ts', 'src/renderer/**/*.{ts,tsx}'], rules: pureBoundary },
  // src/main/*.ts (index, window, ipc) is the Electron glue; every subfolder of src/main runs in plain Node.
  { files: ['src/main/*/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts'], ignores: ['src/main/liveness/**'], rules: noElectron },
  { files: ['bin/**/*.mjs', 'scripts/**/*.mjs', 'tools/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
);
