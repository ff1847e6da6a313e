/**
 * The heap probe's last and costliest look at a suspect: up to MAX_RUNS runs under V8's
 * sampling heap profiler (probes/heap.ts decides when). Also how every extra run is made:
 * run, then let its timers settle.
 */
import { errorMessage } from '../core/errors';
import { nextTurn, RunTimers } from '../core/timers';
import type { HeapMeasurement, Rerun, RerunOutcome } from '../core/types';
import { attribute, describeSite, type AllocationSite, type Attribution } from '../heap/attribution';
import { HeapSampler, samplesByRun } from '../heap/sampler';
import { heldByFakeTimers, keptByEveryRun, mayStillLeak } from './heap-verdicts';

export interface Confirmation {
  /** What the user's code allocated in each extra run and is still alive after the last (sampled). */
  runs: Attribution[];
  /** Errors the runs threw: only their memory counts. */
  threw: string[];
}

/**
 * Extra runs judged at most. A leak keeps what every run allocated. After two runs, a test that
 * keeps its last two results (a bounded window) looks the same; after a third, the first
 * run's data is gone from the window but not from a leak.
 */
export const MAX_RUNS = 3;

/**
 * What a run keeps only until the next run replaces it (a React tree a later render or
 * cleanup drops, a describe-level variable) reads like a leak of that run, 0.9-1 MB on
 * react-day-picker's first tests against 30-280 KB for the runs before it. So the verdict
 * also reads the runs as they stand once one more run has followed them.
 */
function replaced(runs: Attribution[]): Attribution[] {
  return runs.slice(0, -1);
}

/**
 * Runs the test again with the sampling profiler on, a marker before the run, then reads
 * the profile (V8 runs a full GC first): samples after the marker are the run's survivors.
 * Only while the runs so far may still be a leak (mayStillLeak) does another follow, until
 * MAX_RUNS runs have each been followed by one more (replaced); the samples between two
 * markers are a run's survivors still alive after the later runs. Returns null as soon as
 * the runs so far show no leak; else the MAX_RUNS replaced runs.
 */
export async function runAgainSampled(
  rerun: Rerun,
  enough: number,
  measurement: HeapMeasurement,
  samplingInterval: number,
  rootDir: string,
): Promise<Confirmation | { problem: string } | null> {
  const started = HeapSampler.start(samplingInterval);
  if ('problem' in started) return { problem: started.problem };
  const { sampler } = started;
  const markers: unknown[][] = [];
  const threw: string[] = [];
  const fakeTimersAdded: number[] = [];
  const dropFakeTimers: Array<() => number> = [];
  /** Runs the test again after a start-of-run marker. */
  const runOnce = async (): Promise<void> => {
    markers.push(sampler.allocateMarker());
    const outcome = await rerunAndSettle(rerun);
    if (outcome.threw) threw.push(outcome.threw);
    fakeTimersAdded.push(outcome.fakeTimersAdded ?? 0);
    if (outcome.fakeTimersAdded !== undefined) measurement.fakeTimersAdded = [...fakeTimersAdded];
    if (outcome.dropFakeTimers) dropFakeTimers.push(outcome.dropFakeTimers);
  };
  /** Each run's survivors: samples between its marker and the next run's (V8 runs a full GC first). */
  const survivorsByRun = (): Attribution[] | null =>
    samplesByRun(sampler.liveSamples(), markers.length)?.map((samples) => attribute(samples, rootDir)) ?? null;
  const unsampledMarker = { problem: 'a start-of-run marker was not sampled' };
  try {
    let runs: Attribution[] = [];
    while (runs.length < MAX_RUNS) {
      await runOnce();
      const survivors = survivorsByRun();
      if (!survivors) return unsampledMarker;
      measurement.runs = survivors.map((run) => run.userBytes);
      // The runs as they stand, while the last may still hold what the next would replace:
      // no leak there, none once it is replaced either.
      if (survivors.length <= MAX_RUNS && !mayStillLeak(survivors, enough, MAX_RUNS)) return null;
      runs = replaced(survivors);
      if (runs.length > 0 && !mayStillLeak(runs, enough, MAX_RUNS)) return null;
    }
    if (keptByEveryRun(runs, enough, MAX_RUNS) && heldByFakeTimers(fakeTimersAdded)) {
      // Each run's memory may be only what its pending fake timers hold until the test's
      // clock advances: clear the timers the extra runs made (they would not exist without
      // them) and read again. A leak still keeps its runs' memory.
      for (const drop of dropFakeTimers) drop();
      const survivors = survivorsByRun();
      if (!survivors) return unsampledMarker;
      runs = replaced(survivors);
      measurement.runsWithoutFakeTimers = runs.map((run) => run.userBytes);
    }
    const last = runs[runs.length - 1];
    if (last.sites.length > 0) last.sites = describeSites(sampler, last.sites, rootDir);
    return { runs, threw };
  } catch (error) {
    // The test itself (or a tool it drives) may stop the isolate's one sampling profiler.
    return { problem: `the sampling heap profiler failed during the extra run (${errorMessage(error)})` };
  } finally {
    markers.length = 0;
    sampler.stop();
  }
}

/** Source-maps the biggest sites while the scripts are known to the inspector (leaks only: loaded then). */
function describeSites(sampler: HeapSampler, sites: AllocationSite[], rootDir: string): AllocationSite[] {
  const top = sites.slice(0, 5);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SourceMapper } = require('../heap/source-map') as typeof import('../heap/source-map');
  const mapper = new SourceMapper();
  const frames = top.flatMap((site) => site.frames);
  try {
    const sources = sampler.scriptSources([...new Set(frames.map((frame) => frame.scriptId))]);
    for (const frame of frames) {
      const source = sources.get(frame.scriptId);
      if (source !== undefined) mapper.add(frame.scriptId, frame.url, source);
    }
  } catch {
    // Positions stay as V8 reported them, in the transformed code.
  }
  return top.map((site) => ({ ...site, description: describeSite(site, rootDir, mapper) }));
}

/**
 * Runs the test again, then lets the event loop turn and the run's own timers fire (up to
 * GRACE_MS): what the run scheduled to release is released before its memory is read.
 */
export async function rerunAndSettle(rerun: Rerun): Promise<RerunOutcome> {
  const timers = new RunTimers();
  timers.start();
  try {
    const outcome = await rerun();
    await nextTurn();
    await timers.settled();
    return outcome;
  } finally {
    timers.stop();
  }
}
