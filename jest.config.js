/** leakwatch's own tests: most of them run real Jest 29 and 30 on the projects in fixtures/. */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/__tests__/**/*.test.js'],
  // Each end-to-end test starts Jest in a child process: seconds, not milliseconds.
  testTimeout: 120000,
};
