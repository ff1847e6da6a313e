import { GarbageBudget } from '../garbage-budget';

const MB = 1024 * 1024;

test('the first reading sets the floor: nothing is due', () => {
  expect(new GarbageBudget(64 * MB).due(500 * MB)).toBe(false);
});

test('on a small heap, due once the used heap has grown by the budget since the floor', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(20 * MB);
  expect(budget.due(83 * MB)).toBe(false);
  expect(budget.due(84 * MB)).toBe(true);
});

test('on a larger heap, due once it has doubled since the floor', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(100 * MB);
  expect(budget.due(199 * MB)).toBe(false);
  expect(budget.due(200 * MB)).toBe(true);
});

test('a full GC sets the floor to what it left', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(20 * MB);
  budget.collected(40 * MB);
  expect(budget.due(103 * MB)).toBe(false);
  expect(budget.due(120 * MB)).toBe(true);
});

test('a lower reading (V8 collected meanwhile) lowers the floor', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(100 * MB);
  expect(budget.due(30 * MB)).toBe(false);
  expect(budget.due(94 * MB)).toBe(true);
});
