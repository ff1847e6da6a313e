/**
 * jsdom's window timers, told apart by their creation stack. jsdom makes each one a Node
 * `setTimeout` in its Window.js, and re-arms that for an interval at each tick; it clears
 * them all when the environment is torn down, so none can outlive the test file.
 */

/** What of a V8 call site is read here (tests pass plain objects). */
export interface CallSiteLike {
  getFileName(): string | null | undefined;
  getFunctionName(): string | null;
}

/** A window timer that fires once, one that repeats, or not a window timer at all. */
export enum WindowTimerKind {
  Once = 'once',
  Interval = 'interval',
  NotWindow = 'not-window',
}

export interface WindowTimer {
  kind: WindowTimerKind;
  /** The file of the code that called `window.setTimeout` or `setInterval`, as V8 names it. */
  caller: string | null;
}

const WINDOW_FILE = /[\\/]jsdom[\\/]lib[\\/]jsdom[\\/]browser[\\/]Window\.js$/;
const NOT_WINDOW: WindowTimer = { kind: WindowTimerKind.NotWindow, caller: null };

/**
 * The kind of the Node timer whose creation frames (innermost first) are given, and who
 * asked jsdom for it. jsdom 20-26 arm it in `timerInitializationSteps`, called from
 * `window.setTimeout`, `window.setInterval`, or an interval's `task` re-arming it after a tick.
 */
export function windowTimer(frames: readonly CallSiteLike[]): WindowTimer {
  let kind: WindowTimerKind | null = null;
  for (const frame of frames) {
    const file = frame.getFileName() ?? '';
    if (kind !== null) {
      if (!WINDOW_FILE.test(file)) return { kind, caller: file || null };
      continue;
    }
    if (!WINDOW_FILE.test(file)) continue;
    const name = frame.getFunctionName() ?? '';
    if (name === 'timerInitializationSteps') continue;
    if (/(?:^|\.)setTimeout$/.test(name)) kind = WindowTimerKind.Once;
    else if (/(?:^|\.)setInterval$/.test(name) || name === 'task') kind = WindowTimerKind.Interval;
    else return NOT_WINDOW;
  }
  return kind === null ? NOT_WINDOW : { kind, caller: null };
}
