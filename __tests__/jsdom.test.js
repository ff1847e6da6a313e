// @ts-check
/** jest-environment-leakwatch/jsdom: detached DOM nodes kept in a module array fail; removed ones pass. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test.each([['workers', []], ['in band', ['-i']]])('%s', (_mode, args) => {
    const run = runJest(version, 'jsdom', { args: /** @type {string[]} */ (args) });
    expect(failedTests(run)).toEqual(['keeps detached list nodes in a module array']);
    expect(run.tests.get('keeps detached list nodes in a module array')?.message).toMatch(
      /^leakwatch: "keeps detached list nodes in a module array" leaked ~\d+\.\d MB of heap per run\.[\s\S]*renderList \(__tests__\/dom\.test\.js:3\) ← \(anonymous\) \(__tests__\/dom\.test\.js:22\)/,
    );
    expect(run.tests.get('renders a list and removes it')?.status).toBe('passed');
    expect(run.tests.get('clicks a button')?.status).toBe('passed');
    expect(run.exitCode).toBe(1);
  });
});
