/**
 * leakwatch's own tests, in two projects:
 * - unit: in-process tests of the pure logic, next to the code (lib/**\/__tests__), seconds;
 * - e2e: real Jest 29 and 30 started in child processes on the projects in fixtures/, minutes.
 */
module.exports = {
  // A global option (projects can't set it): e2e tests start Jest in a child process, seconds each.
  testTimeout: 120000,
  // Jest's default on 2 cores is one worker. The e2e tests wait on child Jest processes,
  // which leave a core idle at times: two workers took the e2e run from ~6.7 to ~5.2 minutes.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/lib/**/__tests__/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/__tests__/**/*.test.js'],
    },
  ],
};
