// @ts-check
/**
 * The heap window's bound when leakwatch's scavenge at a test's end promotes objects from
 * before the test: those are not the test's, and what the test keeps is still counted whole.
 * Runs in a child process (helpers/window-scenarios.js) whose young generation is big enough
 * for V8 not to collect during the window, the case this bound is for.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const KB = 1024;

test('objects from before the test that the end scavenge promotes are not counted; what the test keeps is', () => {
  const output = execFileSync(process.execPath, ['--min-semi-space-size=16', path.join(__dirname, 'helpers', 'window-scenarios.js')], {
    encoding: 'utf8',
  });
  const { olderOnly, olderAndKept, keptOnly } = JSON.parse(output);
  for (const scenario of [olderOnly, olderAndKept, keptOnly]) expect(scenario.collected).toBe(false);
  // 1 MB from before the test, promoted by the scavenge: counting it made the test a suspect (~870 KB).
  expect(olderOnly.bound).toBeLessThan(128 * KB);
  // The ~786 KB the test keeps (768 KB of records and their array) stays in the bound, with or
  // without older objects promoted next to it.
  expect(olderAndKept.bound).toBeGreaterThanOrEqual(768 * KB);
  expect(keptOnly.bound).toBeGreaterThanOrEqual(768 * KB);
});
