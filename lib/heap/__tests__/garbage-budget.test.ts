import { GarbageBudget } from '../garbage-budget';

const MB = 1024 * 1024;

test('the first reading sets the floor: nothing is due', () => {
  expect(new GarbageBudget(64 * MB).due(500 * MB)).toBe(false);
});

test('due once the used heap has grown by the budget since the floor', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(100 * MB);
  expect(budget.due(163 * MB)).toBe(false);
  expect(budget.due(164 * MB)).toBe(true);
});

test('a full GC sets the floor to what it left', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(100 * MB);
  budget.collected(120 * MB);
  expect(budget.due(170 * MB)).toBe(false);
  expect(budget.due(184 * MB)).toBe(true);
});

test('a lower reading (V8 collected meanwhile) lowers the floor', () => {
  const budget = new GarbageBudget(64 * MB);
  budget.due(100 * MB);
  expect(budget.due(60 * MB)).toBe(false);
  expect(budget.due(124 * MB)).toBe(true);
});
