/**
 * Cutting node:inspector's live samples into runs at leakwatch's start-of-run markers.
 */
import { samplesByRun, type Survivor } from '../sampler';

const sample = (ordinal: number): Survivor => ({ ordinal, size: 1024, stack: [] });
const ordinals = (runs: Survivor[][] | null) => runs?.map((run) => run.map((survivor) => survivor.ordinal));

test("each run gets the samples between its marker and the next one's, the last run all after its own", () => {
  const live = { markerOrdinals: [10, 20], samples: [5, 12, 15, 25].map(sample) };
  expect(ordinals(samplesByRun(live, 2))).toEqual([[12, 15], [25]]);
});

test('samples from before the first marker belong to no run', () => {
  const live = { markerOrdinals: [10], samples: [3, 11].map(sample) };
  expect(ordinals(samplesByRun(live, 1))).toEqual([[11]]);
});

test('nothing when a marker is missing (not sampled, or the test restarted the sampler)', () => {
  expect(samplesByRun({ markerOrdinals: [10], samples: [sample(12)] }, 2)).toBeNull();
});

test('nothing when there are more markers than runs: which one starts a run is unclear', () => {
  expect(samplesByRun({ markerOrdinals: [10, 20], samples: [sample(12)] }, 1)).toBeNull();
});
