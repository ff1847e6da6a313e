import { FirstRunOdds } from '../first-run-odds';

const MB = 1024 * 1024;

/** Odds after `tests` tests of `testMs` each, one in `every` a suspect, and looks of `looksMs`. */
function oddsAfter({ tests = 20, every = 2, testMs = 20, looksMs = [100, 100, 100], heapMb = 50 }): FirstRunOdds {
  const odds = new FirstRunOdds();
  for (let index = 0; index < tests; index++) odds.testEnded(index % every === 0, testMs, heapMb * MB);
  for (const ms of looksMs) odds.clearedByRuns(ms);
  return odds;
}

test('samples where half the tests are suspects whose looks cost more than a full GC', () => {
  expect(oddsAfter({}).worthIt()).toBe(true);
});

test('not before 8 tests and 3 looks have been seen', () => {
  expect([oddsAfter({ tests: 7 }).worthIt(), oddsAfter({ looksMs: [100, 100] }).worthIt()]).toEqual([false, false]);
});

test('not where the looks cost less than the full GC the first run may need (react-hook-form)', () => {
  expect(oddsAfter({ looksMs: [26, 26, 26], heapMb: 80 }).worthIt()).toBe(false);
});

test('not where suspects are too rare for what sampling costs every test (a Node suite)', () => {
  expect(oddsAfter({ every: 50, looksMs: [60, 60, 60], testMs: 10 }).worthIt()).toBe(false);
});

test('reads the latest 20 tests: a Node file after a React one switches it off', () => {
  const odds = oddsAfter({});
  for (let index = 0; index < 20; index++) odds.testEnded(false, 20, 50 * MB);
  expect(odds.worthIt()).toBe(false);
});

test('the median look, not the mean: one slow look among cheap ones does not switch it on', () => {
  expect(oddsAfter({ looksMs: [30, 30, 3000], heapMb: 50 }).worthIt()).toBe(false);
});
