/**
 * Whether one of a suspect's cheap looks is worth its runs, from how often it cleared this
 * worker's recent suspects: a look that seldom clears only adds its runs to the next look's.
 * On downshift, where a React test's rerun leaves ~500 KB that only a full GC frees, the
 * first look cleared 1 suspect in 7 and the window over two runs 1 in 50, against 4 in 5 of
 * react-hook-form's for the first look (docs/measurements.md).
 */
import { FirstRunOdds } from './first-run-odds';

export class LookOdds {
  /** Outcomes of the latest looks, oldest first: true when it cleared its suspect. */
  private readonly recent: boolean[] = [];
  private skipped = 0;

  /** `share`: what the look must clear to be worth it, its cost over the next look's. */
  constructor(private readonly share: number) {}

  /** Whether to take the look now; record() its outcome when taken. */
  worthIt(): boolean {
    if (this.recent.length < MIN_OUTCOMES) return true;
    const cleared = this.recent.filter(Boolean).length;
    if (cleared >= this.share * this.recent.length) return true;
    // Taken again now and then, so that the odds follow the files this worker runs next.
    this.skipped += 1;
    return this.skipped % RETRY_EVERY === 0;
  }

  record(cleared: boolean): void {
    this.recent.push(cleared);
    if (this.recent.length > WINDOW) this.recent.shift();
  }
}

/** The outcomes the odds are read from. */
const WINDOW = 20;
/** Outcomes needed before a look is ever left out. */
const MIN_OUTCOMES = 8;
/** While a look is left out, every this many suspects take it anyway. */
const RETRY_EVERY = 8;

/**
 * One set per process: a worker's files are mostly of one kind (jsdom or Node), so the odds
 * carry over from file to file. The shares are each look's cost over the next one's, measured
 * on downshift: the first look's run costs half the quick look's (the sampler slows a run),
 * and the window's two runs a fifth of the sampled runs' (each pays a full GC).
 */
export const workerLookOdds = {
  /** Sampling each test's own run, before any look (heap/first-run-odds.ts). */
  firstRun: new FirstRunOdds(),
  /** The first look, when the quick look (with the addon) could go first. */
  firstLook: new LookOdds(1 / 2),
  /** The window over two runs, without the addon, before the sampled runs. */
  twoRunWindow: new LookOdds(1 / 5),
};
