// @ts-check
/** jsdom timers: a fire-once timer armed by the code under test passes; an interval, or a timer the test file arms, fails. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test('in band', () => {
    const run = runJest(version, 'jsdom-timers', { args: ['-i'] });
    expect(failedTests(run)).toEqual(['arms a timer of its own and never clears it', 'starts polling and never stops']);
    expect(run.tests.get('reads through a cache that expires its entries later')?.status).toBe('passed');
    expect(run.tests.get('starts polling and never stops')?.message).toMatch(
      /^leakwatch: "starts polling and never stops" leaked 1 open handle\.\n\s+setInterval timer \(every 1000 ms\), created at src\/poller\.js:3 from __tests__\/timers\.test\.js:10\n/,
    );
    expect(run.tests.get('arms a timer of its own and never clears it')?.message).toMatch(
      /^leakwatch: "arms a timer of its own and never clears it" leaked 1 open handle\.\n\s+setTimeout timer \(3000 ms\), created at __tests__\/timers\.test\.js:15\n/,
    );
    expect(run.exitCode).toBe(1);
  });
});
