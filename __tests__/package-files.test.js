// @ts-check
/**
 * What the installed package holds (test-env/ copies it as `npm i` would place it).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { JEST_VERSIONS, root } = require('./helpers/run-jest');

/** @param {string} dir @returns {string[]} */
function scripts(dir) {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
}

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  const dist = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest-environment-leakwatch', 'dist');

  // Jest formats a thrown error's stack through source-map-support, which reads and parses the
  // map of every file on it. An extra run puts leakwatch's frames there: parsing their maps kept
  // ~0.6 MB per test file, and the first throwing test's extra run could not be cleared.
  test('no compiled file points to a source map', () => {
    const files = scripts(dist);
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((file) => /^\/\/# sourceMappingURL=/m.test(fs.readFileSync(path.join(dist, file), 'utf8')))).toEqual([]);
  });
});
