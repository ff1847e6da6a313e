/**
 * HeapProbe before a test: what the file's own code left young (its modules, its hooks)
 * is scavenged first, so the test's window does not count it. V8's gc() is a mock that records
 * each collection; the window itself is not opened for real.
 */
import type { GcFunction } from '../../core/gc';
import { parseConfig } from '../../core/config-parser';
import { HeapProbe } from '../heap';

const mockGc = jest.fn<void, Parameters<GcFunction>>();

jest.mock('../../core/gc', () => ({
  ...jest.requireActual<typeof import('../../core/gc')>('../../core/gc'),
  getGc: () => mockGc,
}));
jest.mock('../../heap/window', () => ({
  openWindow: () => ({ spacesAtStart: new Map(), gcProfiler: { stop: () => undefined }, startedAt: 0 }),
}));

function newProbe(): HeapProbe {
  const config = parseConfig({ options: {}, env: {}, pragmas: {}, rootDir: '/project' });
  return new HeapProbe(config, '/project', null);
}

/** The collections beforeTest asked of V8. */
function collectionsBefore(probe: HeapProbe): Array<string | undefined> {
  mockGc.mockClear();
  probe.beforeTest();
  probe.abandonTest();
  return mockGc.mock.calls.map(([options]) => options?.type);
}

test("scavenges the young generation before the file's first test", () => {
  expect(collectionsBefore(newProbe())).toEqual(['minor']);
});

test('does not collect before a later test', () => {
  const probe = newProbe();
  collectionsBefore(probe);
  expect(collectionsBefore(probe)).toEqual([]);
});

test.each(['beforeAll', 'afterAll'] as const)('scavenges it again before the next test after a %s hook of the file', (phase) => {
  const probe = newProbe();
  collectionsBefore(probe);
  probe.fileCodeRunning(phase);
  probe.fileCodeRunning(null);
  expect(collectionsBefore(probe)).toEqual(['minor']);
});
