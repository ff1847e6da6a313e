import { counted, formatBytes, parseBytes } from '../units';

describe('parseBytes', () => {
  test.each<[unknown, number]>([
    [1048576, 1048576],
    [0, 0],
    [1.6, 2],
    ['512', 512],
    ['10b', 10],
    ['512KB', 512 * 1024],
    ['512 KiB', 512 * 1024],
    [' 2mb ', 2 * 1024 ** 2],
    ['1.5MiB', 1.5 * 1024 ** 2],
    ['1GB', 1024 ** 3],
    ['2gib', 2 * 1024 ** 3],
  ])('%j is %i bytes', (value, bytes) => {
    expect(parseBytes(value)).toBe(bytes);
  });

  test.each<[unknown]>([[-1], [Infinity], [NaN], ['lots'], ['1TB'], ['-1KB'], ['1 K B'], [''], [null], [true], [{}]])(
    '%p is not a size',
    (value) => {
      expect(parseBytes(value)).toBeUndefined();
    },
  );
});

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [10 * 1024, '10 KB'],
    [512 * 1024, '512 KB'],
    [3 * 1024 ** 2, '3.0 MB'],
    [1.25 * 1024 ** 3, '1.25 GB'],
    [-1536, '-1.5 KB'],
    [-100, '-100 B'],
  ])('%i -> %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

test('counted: the noun is singular for one only', () => {
  expect([0, 1, 2].map((count) => counted(count, 'open handle'))).toEqual(['0 open handles', '1 open handle', '2 open handles']);
});
