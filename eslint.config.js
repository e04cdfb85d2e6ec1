// Lint rules, including the process boundaries: the core never imports Electron,
// the renderer and shared code never import Node or Electron.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Who may import whom, by folder: core stands on shared and packages; shared on
 * packages only; the renderer and the web bridge on shared; the web host's server on
 * core and shared, never on the Electron glue; the directory service (server/) on
 * shared only, and nothing in src/ on it. Exported for tests/unit/architecture/lint-zones.test.ts.
 */
export const layerZones = [
  {
    target: './src/shared',
    from: './src',
    except: ['./shared'],
    message: 'src/shared imports nothing of ours but itself.',
  },
  {
    target: './src/core',
    from: './src',
    except: ['./core', './shared'],
    message: 'The core imports only src/shared and packages.',
  },
  {
    target: './src/renderer',
    from: './src',
    except: ['./renderer', './shared'],
    message: 'The renderer imports only src/shared.',
  },
  {
    target: './src/preload',
    from: './src',
    except: ['./preload', './shared'],
    message: 'The preload imports only src/shared.',
  },
  {
    target: './src/webhost/bridge',
    from: './src',
    except: ['./webhost/bridge', './webhost/protocol.ts', './shared'],
    message: 'The web bridge is renderer code: src/shared only.',
  },
  {
    target: './src/webhost',
    from: './src/main',
    message: 'The web host stands beside the Electron glue, on the core.',
  },
  {
    target: './src/webhost',
    from: './src/renderer',
    message: 'The web host serves the built renderer; it does not import it.',
  },
  { target: './src/main', from: './src/webhost', message: 'The Electron glue does not import the web host.' },
  { target: './src/main', from: './src/renderer', message: 'Main talks to the renderer over the contract only.' },
  {
    target: './server',
    from: './src',
    except: ['./shared'],
    message: 'The directory service imports only src/shared (its wire format) and packages.',
  },
  { target: './src', from: './server', message: 'The app reaches the directory service over HTTP only.' },
];

const nodeOnly = [
  'node:*',
  'fs',
  'path',
  'child_process',
  'net',
  'http',
  'os',
  'crypto',
  'ws',
  'conf',
  'electron-store',
];

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
    // The layers (docs/architecture.md), checked on resolved paths, so a relative
    // `../main/ipc` is caught as surely as a bare `electron`.
    files: ['src/**/*.{ts,tsx}', 'server/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.node.json', 'tsconfig.web.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core stays Electron-free: inject what it needs.' }],
          patterns: [{ group: ['electron/*'], message: 'The core stays Electron-free.' }],
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
