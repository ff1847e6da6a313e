import { LookOdds } from '../look-odds';

function oddsAfter(outcomes: boolean[], share = 1 / 2): LookOdds {
  const odds = new LookOdds(share);
  for (const cleared of outcomes) odds.record(cleared);
  return odds;
}

/** What worthIt answers on each of the next `count` suspects. */
function nextAnswers(odds: LookOdds, count: number): boolean[] {
  return Array.from({ length: count }, () => odds.worthIt());
}

test('takes the look until it has seen 8 outcomes, whatever they were', () => {
  expect(nextAnswers(oddsAfter(Array(7).fill(false)), 3)).toEqual([true, true, true]);
});

test('takes it while it clears its share of suspects', () => {
  expect(oddsAfter([true, false, true, false, true, false, true, false]).worthIt()).toBe(true);
});

test('leaves it out when it cleared less than its share, but takes it every 8th suspect', () => {
  const odds = oddsAfter([true, false, false, true, false, false, true, false]);
  expect(nextAnswers(odds, 16)).toEqual([...Array(7).fill(false), true, ...Array(7).fill(false), true]);
});

test('a smaller share keeps a look that clears less often', () => {
  const outcomes = [true, false, false, false, true, false, false, false, false, false];
  expect([oddsAfter(outcomes, 1 / 5).worthIt(), oddsAfter(outcomes, 1 / 2).worthIt()]).toEqual([true, false]);
});

test('reads only the latest 20 outcomes: a run of clears after many misses brings it back', () => {
  expect(oddsAfter([...Array(30).fill(false), ...Array(10).fill(true)]).worthIt()).toBe(true);
});

test('the same run of clears among the latest 11 misses is not enough', () => {
  expect(oddsAfter([...Array(30).fill(false), ...Array(9).fill(true), ...Array(11).fill(false)]).worthIt()).toBe(false);
});
