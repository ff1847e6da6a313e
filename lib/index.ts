/** jest-environment-leakwatch: `testEnvironment: 'leakwatch'` loads this module's TestEnvironment. */
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
import { withLeakDetection } from './environment';

/** jest-environment-node with leak detection. */
export const TestEnvironment = withLeakDetection(NodeEnvironment);
export default TestEnvironment;
export { withLeakDetection };
export type { LeakwatchConfig, Mode, Check } from './config';
export type { UserProbeDefinition } from './probes/user';
