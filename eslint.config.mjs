// ESLint for leakwatch: typescript-eslint on lib/, plain JS rules on tests and scripts, and
// the dependency rule: the measuring engine (core/, probes/, heap/, report/) knows nothing of Jest.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import jestPlugin from 'eslint-plugin-jest';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const JEST_IMPORTS = {
  patterns: [
    { group: ['**/jest/*', '../jest', './jest'], message: 'Only lib/jest/ knows Jest: the engine must not import it.' },
    { group: ['@jest/*', 'jest', 'jest-*', 'jest-circus'], message: 'Only lib/jest/ knows Jest.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-env/', 'coverage/', '.leakwatch/', 'fixtures/', 'example/'] },
  js.configs.recommended,
  {
    files: ['lib/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-cycle': 'error',
      // Wrappers of fs functions keep `this` for the caller's and name the probe `probe`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['probe'] }],
      'import-x/no-duplicates': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator='instanceof'][right.name='Error']",
          message: 'Errors from test code come from another realm: use core/errors.',
        },
      ],
    },
  },
  { files: ['lib/core/errors.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['lib/core/**/*.ts', 'lib/probes/**/*.ts', 'lib/heap/**/*.ts', 'lib/report/**/*.ts'],
    ignores: ['**/__tests__/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', JEST_IMPORTS] },
  },
  {
    files: ['lib/**/__tests__/**/*.ts'],
    ...jestPlugin.configs['flat/recommended'],
    rules: {
      ...jestPlugin.configs['flat/recommended'].rules,
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node }, sourceType: 'commonjs' },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    files: ['__tests__/**/*.js'],
    ...jestPlugin.configs['flat/recommended'],
    languageOptions: { globals: { ...globals.node, ...globals.jest }, sourceType: 'commonjs' },
  },
);
