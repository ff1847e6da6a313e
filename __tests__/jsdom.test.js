// @ts-check
/** jest-environment-leakwatch/jsdom: detached DOM nodes kept in a module array fail, and so do nodes left in the document; removed ones pass. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test.each([
    ['workers', []],
    ['in band', ['-i']],
  ])('%s', (_mode, args) => {
    const run = runJest(version, 'jsdom', { args: /** @type {string[]} */ (args) });
    expect(failedTests(run)).toEqual(['keeps detached list nodes in a module array', 'leaves a list in the document']);
    // Every line of renderList's loop allocates part of what is kept (the li, its text, its
    // listener, its place in the list): the message lists those that allocated about as much
    // as the biggest, which varies from run to run.
    expect(run.tests.get('keeps detached list nodes in a module array')?.message).toMatch(
      /^leakwatch: "keeps detached list nodes in a module array" leaked ~\d+\.\d MB of heap per run\.[\s\S]*__tests__\/dom\.test\.js:[6-9](?:, [6-9])* in renderList, called from __tests__\/dom\.test\.js:23\n/,
    );
    expect(run.tests.get('leaves a list in the document')?.message).toMatch(
      /^leakwatch: "leaves a list in the document" leaked ~\d+\.\d MB of heap per run\.[\s\S]*\n {2}What holds it: the test's document, where one more run of the test left:\n {4}<ul> in <body> \(2000 elements inside\)\n/,
    );
    expect(run.tests.get('renders a list and removes it')?.status).toBe('passed');
    expect(run.tests.get('clicks a button')?.status).toBe('passed');
    expect(run.exitCode).toBe(1);
  });
});
