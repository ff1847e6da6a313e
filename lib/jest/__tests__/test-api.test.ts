import type { Check } from '../../core/types';
import { UserProbe } from '../../probes/user';
import { createTestApi, type TestApiHost } from '../test-api';

/** A host that records what the API forwards to it. */
function fakeHost() {
  const host = {
    userProbes: [] as UserProbe[],
    ignored: [] as Check[][],
    ignore(checks: Check[]) {
      host.ignored.push(checks);
    },
    addUserProbe(probe: UserProbe) {
      host.userProbes.push(probe);
    },
  };
  return host satisfies TestApiHost;
}

const measure = () => 0;

describe('createTestApi', () => {
  test('ignore() forwards the checks named', () => {
    const host = fakeHost();
    createTestApi(host).ignore('heap', 'fds');
    expect(host.ignored).toEqual([['heap', 'fds']]);
  });

  test('ignore() without arguments forwards every check', () => {
    const host = fakeHost();
    createTestApi(host).ignore();
    expect(host.ignored).toEqual([['heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'native']]);
  });

  test('ignore() rejects an unknown name and forwards nothing', () => {
    const host = fakeHost();
    expect(() => createTestApi(host).ignore('heep')).toThrow(
      `leakwatch: leakwatch.ignore() got "heep"; allowed: 'heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'native' (or no argument for all checks).`,
    );
    expect(host.ignored).toEqual([]);
  });

  test('registerProbe() adds a UserProbe named after the definition, which ignore() then accepts', () => {
    const host = fakeHost();
    const api = createTestApi(host);
    api.registerProbe({ name: 'pool', measure });
    expect(host.userProbes).toHaveLength(1);
    expect(host.userProbes[0]).toBeInstanceOf(UserProbe);
    expect(host.userProbes[0].check).toBe('pool');
    api.ignore('pool');
    expect(host.ignored).toEqual([['pool']]);
  });

  test('registerProbe() rejects a built-in name', () => {
    const host = fakeHost();
    expect(() => createTestApi(host).registerProbe({ name: 'handles', measure })).toThrow(
      "leakwatch: leakwatch.registerProbe(): the name 'handles' is taken; pick another.",
    );
    expect(host.userProbes).toEqual([]);
  });

  test('registerProbe() rejects the name of a probe registered before', () => {
    const host = fakeHost();
    const api = createTestApi(host);
    api.registerProbe({ name: 'pool', measure });
    expect(() => api.registerProbe({ name: 'pool', measure })).toThrow(
      "leakwatch: leakwatch.registerProbe(): the name 'pool' is taken; pick another.",
    );
    expect(host.userProbes).toHaveLength(1);
  });

  test('registerProbe() rejects a bad definition', () => {
    const host = fakeHost();
    expect(() => createTestApi(host).registerProbe({ name: 'pool' })).toThrow(
      'leakwatch: leakwatch.registerProbe(): measure is undefined; allowed: a function returning a number (or a promise of one).',
    );
    expect(host.userProbes).toEqual([]);
  });

  test('the API object is frozen', () => {
    expect(Object.isFrozen(createTestApi(fakeHost()))).toBe(true);
  });
});
