/** What the handles probe keeps of each async resource created while a test or the file's own code runs. */
import type { FilePhase } from '../core/types';
import type { WindowTimer } from './window-timers';

export interface Resource {
  type: string;
  /** Captured at creation; formatted (and source-mapped by Jest) only if it is reported. */
  origin: Error;
  triggerId: number;
  /** Handle types only: other resources are kept for what they tell about where a handle came from. */
  resource: WeakRef<object> | null;
  test: number;
  /** For the file's own resources: where its code ran. */
  phase?: FilePhase;
  /** A socket a library opened during a test, judged at the file's end: 'opened in test "name"'. */
  openedIn?: string;
  /** The file's own handles: their project line, found before what led to them is dropped. */
  site?: string | null;
  /** Timers only, read from `origin` once one is still open at the end. */
  windowTimer?: WindowTimer;
}

/** A handle still open at the end, with the project line that created it. */
export interface OpenHandle extends Resource {
  site: string;
}
