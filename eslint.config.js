// Lint rules, including the process boundaries: the core never imports Electron,
// the renderer and shared code never import Node or Electron.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeOnly = ['node:*', 'fs', 'path', 'child_process', 'net', 'http', 'os', 'crypto', 'ws', 'conf', 'electron-store'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['src/main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core stays Electron-free: inject what it needs.' }],
          patterns: [{ group: ['electron/*', '**/main/index', '**/main/window', '**/main/ipc'], message: 'The core stays Electron-free.' }],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/shared/**/*.ts', 'src/webhost/bridge/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through window.calmline.' }],
          patterns: [
            { group: nodeOnly, message: 'Node modules do not exist in the renderer.' },
            { group: ['**/main/**', '**/preload/**', '**/webhost/server/**'], message: 'Import only from src/shared.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'tests/unit/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['scripts/**', 'tests/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
);
