import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint/layers.js';

const root = path.dirname(fileURLToPath(import.meta.url));
const loopstage = { rules: { layers: layersRule } };

// Pure layers get no clock and no randomness: both are injected, so behaviour is repeatable.
const noHiddenInputs = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Inject a clock: core and engine get time as an argument.' },
    { object: 'Math', property: 'random', message: 'Inject randomness: core and engine must be repeatable.' },
    { object: 'performance', property: 'now', message: 'Inject a clock: core and engine get time as an argument.' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'core and engine do not touch the process.' },
    { name: 'window', message: 'core and engine do not touch the DOM.' },
    { name: 'document', message: 'core and engine do not touch the DOM.' },
    { name: 'setTimeout', message: 'core and engine take timers through their ports.' },
    { name: 'setInterval', message: 'core and engine take timers through their ports.' },
  ],
  'no-restricted-syntax': ['error', { selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: 'Inject a clock: `new Date()` reads the wall clock.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.test-output/**', 'cues/**', 'vendor/**', 'tests/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { loopstage },
    rules: {
      'loopstage/layers': ['error', { root }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['src/core/**', 'src/engine/**'], rules: noHiddenInputs },
  {
    files: ['src/ui/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }, globals: { ...globals.browser } },
  },
);
