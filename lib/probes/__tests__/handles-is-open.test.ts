import { isOpen } from '../open-handles';

const handle = (fields: object, ref = true): object => ({ ...fields, hasRef: () => ref });

describe('isOpen', () => {
  test("a ref'ed handle is open", () => {
    expect(isOpen(handle({ fd: 7 }))).toBe(true);
  });

  test.each([0, 1, 2])("the process's own stdio handle (fd %i) is not the test's", (fd) => {
    expect(isOpen(handle({ fd }))).toBe(false);
  });

  test("an unref'ed handle, a fired timer and a collected one are not open", () => {
    expect(isOpen(handle({ fd: 7 }, false))).toBe(false);
    expect(isOpen({ _destroyed: true })).toBe(false);
    expect(isOpen(undefined)).toBe(false);
  });
});
