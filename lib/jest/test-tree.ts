/** Reading jest-circus's tree of describe blocks and tests. */
import type { Circus } from '@jest/types';

/** Describe blocks' names and the test's, as Jest prints them. */
export function fullTestName(test: Circus.TestEntry): string {
  const names: string[] = [];
  for (let block: Circus.DescribeBlock | Circus.TestEntry | undefined = test; block?.parent; block = block.parent) {
    names.unshift(block.name);
  }
  return names.join(' ');
}

export function countConcurrentTests(block: Circus.DescribeBlock): number {
  let count = 0;
  for (const child of block.children) {
    if (child.type === 'describeBlock') count += countConcurrentTests(child);
    else if (child.concurrent) count += 1;
  }
  return count;
}
