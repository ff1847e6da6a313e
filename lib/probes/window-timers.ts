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

const WINDOW_FILE = /[\\/]jsdom[\\/]lib[\\/]jsdom[\\/]browser[\\/]Window\.js$/;

/**
 * The kind of the Node timer whose creation frames (innermost first) are given. jsdom 20-26
 * arm it in `timerInitializationSteps`, called from `window.setTimeout`, `window.setInterval`,
 * or an interval's `task` re-arming it after a tick.
 */
export function windowTimerKind(frames: readonly CallSiteLike[]): WindowTimerKind {
  for (const frame of frames) {
    if (!WINDOW_FILE.test(frame.getFileName() ?? '')) continue;
    const name = frame.getFunctionName() ?? '';
    if (name === 'timerInitializationSteps') continue;
    if (/(?:^|\.)setTimeout$/.test(name)) return WindowTimerKind.Once;
    if (/(?:^|\.)setInterval$/.test(name) || name === 'task') return WindowTimerKind.Interval;
    return WindowTimerKind.NotWindow;
  }
  return WindowTimerKind.NotWindow;
}
