// @ts-check
/**
 * Which timers a suspect's extra run waits for: those the run made, directly or from a
 * callback of what it made; not a timer another piece of code (Jest's status line, in band)
 * makes meanwhile.
 */
'use strict';
const { RunTimers } = require('../dist/core/timers');

// Fired before the run's timers are counted: not pending then.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('counts the timers a run makes, directly and from its promise callbacks, until they fire', async () => {
  const timers = new RunTimers();
  timers.start();
  const fired = [];
  setTimeout(() => fired.push('direct'), 30);
  await Promise.resolve().then(() => setTimeout(() => fired.push('from a promise'), 40));
  const cleared = setTimeout(() => undefined, 50);
  clearTimeout(cleared);
  setTimeout(() => undefined, 60).unref();
  expect(timers.pending()).toHaveLength(2);
  await timers.settled();
  // What fired, not the time elapsed: Node times a timer from the event loop's cached clock,
  // which a loaded machine leaves several ms behind Date.now().
  expect(fired).toEqual(['direct', 'from a promise']);
  expect(timers.pending()).toHaveLength(0);
  timers.stop();
});

test("follows a timer that the callback of the run's timer sets (an async validation chain)", async () => {
  const timers = new RunTimers();
  timers.start();
  let secondFired = false;
  setTimeout(() => setTimeout(() => (secondFired = true), 30), 20);
  await timers.settled();
  expect(secondFired).toBe(true);
  timers.stop();
});

test('leaves out timers made by callbacks of what existed before the run', async () => {
  const made = [];
  // Like Jest's status line: an interval whose tick schedules a repaint.
  const interval = setInterval(() => made.push(setTimeout(() => undefined, 100)), 5);
  try {
    const timers = new RunTimers();
    timers.start();
    for (let turn = 0; made.length < 2 && turn < 100; turn++) await sleep(5);
    expect(made.length).toBeGreaterThanOrEqual(2);
    expect(timers.pending()).toHaveLength(0);
    timers.stop();
  } finally {
    clearInterval(interval);
    for (const timer of made) clearTimeout(timer);
  }
});

test('does not wait for a timer due after the grace period: it could not fire in time', async () => {
  const timers = new RunTimers();
  timers.start();
  const late = setTimeout(() => undefined, 5000);
  const started = Date.now();
  await timers.settled();
  const waited = Date.now() - started;
  const pending = timers.pending();
  timers.stop();
  clearTimeout(late);
  expect(pending).toHaveLength(1);
  // Waiting out the grace period takes 100 ms at least.
  expect(waited).toBeLessThan(50);
});
