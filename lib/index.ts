/** jest-environment-leakwatch: `testEnvironment: 'leakwatch'` loads this module's TestEnvironment. */
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
import { withLeakDetection } from './jest/environment';

/** jest-environment-node with leak detection. */
export const TestEnvironment = withLeakDetection(NodeEnvironment);
export default TestEnvironment;
export { withLeakDetection };
export type { LeakwatchConfig, Mode } from './core/config';
export type { Check, UserProbeDefinition } from './core/types';
