/**
 * A test that drives V8's sampling heap profiler itself while leakwatch samples its run: there
 * is one sampler per isolate, so the two share it. With the real addon and node:inspector, in
 * this process: leakwatch must read nothing it cannot call its own, never throw, and never
 * take the sampler from a test that held it first.
 */
import { Session } from 'node:inspector';
import type { FirstRunOdds } from '../../heap/first-run-odds';
import { sampleFirstRunWithInspector } from '../../heap/first-run-sampler';
import { nativeProfiler } from '../../heap/quick-sampler';
import { sampleIfWorthIt } from '../heap-first-run';

const INTERVAL = 32 * 1024;
const worthIt = { worthIt: () => true } as unknown as FirstRunOdds;

/** The user's side: node:inspector's protocol, answered in-thread. */
function post(session: Session, method: string): { error: Error | null; result: unknown } {
  let answer: { error: Error | null; result: unknown } = { error: new Error('no answer'), result: null };
  session.post(method, method === 'HeapProfiler.startSampling' ? { samplingInterval: 1024 } : {}, (error, result) => {
    answer = { error, result };
  });
  return answer;
}

let user: Session;
beforeEach(() => {
  user = new Session();
  user.connect();
});
afterEach(() => {
  post(user, 'HeapProfiler.stopSampling');
  user.disconnect();
});

// The package ships prebuilt modules; where none loads (an unsupported platform), only the
// inspector's path can be tested.
const WAYS = [
  ['with the addon', nativeProfiler() !== null, () => sampleIfWorthIt(worthIt, INTERVAL)],
  ['through node:inspector', true, () => sampleFirstRunWithInspector(INTERVAL)],
] as const;

for (const [way, available, start] of WAYS) {
  (available ? describe : describe.skip)(way, () => {
    test('a test that starts and stops the sampler in its run leaves leakwatch nothing to read, and no error', () => {
      const firstRun = start();
      expect(firstRun).not.toBeNull();
      expect(firstRun!.read()).toEqual(expect.any(Array));

      expect(post(user, 'HeapProfiler.startSampling').error).toBeNull();
      expect(post(user, 'HeapProfiler.stopSampling').error).toBeNull();

      expect(firstRun!.read()).toBeNull();
      expect(() => firstRun!.stop()).not.toThrow();
    });

    test('leakwatch does not sample a run whose file already samples, and the file still stops its sampler', () => {
      expect(post(user, 'HeapProfiler.startSampling').error).toBeNull();

      expect(start()).toBeNull();
      expect(post(user, 'HeapProfiler.stopSampling').error).toBeNull();
    });
  });
}
