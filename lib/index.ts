/** jest-environment-leakwatch: `testEnvironment: 'leakwatch'` loads this module's TestEnvironment. */
import { LeakwatchEnvironment } from './environment';

export { LeakwatchEnvironment as TestEnvironment };
export type { LeakwatchConfig, Mode, Check } from './config';
export type { UserProbeDefinition } from './probes/user';
export default LeakwatchEnvironment;
