import type { Circus } from '@jest/types';
import { countConcurrentTests, fullTestName } from '../test-tree';

/** Just the fields of jest-circus's tree that test-tree reads. */
interface Node {
  type: 'describeBlock' | 'test';
  name: string;
  parent?: Node;
  children?: Node[];
  concurrent?: boolean;
}

function describeBlock(name: string, parent?: Node): Node {
  const block: Node = { type: 'describeBlock', name, parent, children: [] };
  parent?.children?.push(block);
  return block;
}

function testEntry(name: string, parent: Node, concurrent = false): Node {
  const test: Node = { type: 'test', name, parent, concurrent };
  parent.children?.push(test);
  return test;
}

const asTest = (node: Node) => node as unknown as Circus.TestEntry;
const asBlock = (node: Node) => node as unknown as Circus.DescribeBlock;

describe('fullTestName', () => {
  test("joins the describe blocks' names and the test's, without the root block", () => {
    const root = describeBlock('ROOT_DESCRIBE_BLOCK');
    const inner = describeBlock('inner', describeBlock('outer', root));
    expect(fullTestName(asTest(testEntry('does it', inner)))).toBe('outer inner does it');
  });

  test('is the title alone for a test at the top level', () => {
    expect(fullTestName(asTest(testEntry('top', describeBlock('ROOT_DESCRIBE_BLOCK'))))).toBe('top');
  });
});

describe('countConcurrentTests', () => {
  test('counts concurrent tests in nested describe blocks, not the others', () => {
    const root = describeBlock('ROOT_DESCRIBE_BLOCK');
    testEntry('a', root, true);
    testEntry('b', root);
    const block = describeBlock('block', root);
    testEntry('c', block, true);
    testEntry('d', describeBlock('deeper', block), true);
    expect(countConcurrentTests(asBlock(root))).toBe(3);
  });

  test('is 0 for an empty tree', () => {
    expect(countConcurrentTests(asBlock(describeBlock('ROOT_DESCRIBE_BLOCK')))).toBe(0);
  });
});
