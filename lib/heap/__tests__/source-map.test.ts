import { SourceMapper } from '../source-map';

const SCRIPT = '/project/dist/make.js';

/**
 * A map of a 3-line generated file: line 1 from make.ts line 1, line 2 unmapped, line 3
 * ("AASA": same column, same source, 9 lines further) from make.ts line 10.
 */
function inlineMap(sources = ['../src/make.ts'], mappings = 'AAAA;;AASA', prefix = 'data:application/json;base64,'): string {
  const json = JSON.stringify({ version: 3, sources, names: [], mappings });
  return `//# sourceMappingURL=${prefix}${Buffer.from(json).toString('base64')}`;
}

const code = 'exports.a = 1;\n\nfunction makeData() {}\n';

describe('SourceMapper', () => {
  test("maps a 0-based generated line to the original file, resolved from the script's folder, and its 1-based line", () => {
    const mapper = new SourceMapper();
    mapper.add('1', SCRIPT, `${code}${inlineMap()}`);
    expect(mapper.original('1', SCRIPT, 2, 9)).toEqual({ file: '/project/src/make.ts', line: 10 });
  });

  test('is null for a generated line the map leaves unmapped', () => {
    const mapper = new SourceMapper();
    mapper.add('1', SCRIPT, `${code}${inlineMap()}`);
    expect(mapper.original('1', SCRIPT, 1, 0)).toBeNull();
  });

  test('is null for a script with no inline map', () => {
    const mapper = new SourceMapper();
    mapper.add('1', SCRIPT, code);
    expect(mapper.original('1', SCRIPT, 2, 0)).toBeNull();
  });

  test('is null for a script never added', () => {
    expect(new SourceMapper().original('1', SCRIPT, 2, 0)).toBeNull();
  });

  test('is null, without throwing, for a map that is not JSON', () => {
    const mapper = new SourceMapper();
    mapper.add('1', SCRIPT, `${code}//# sourceMappingURL=data:application/json;base64,${Buffer.from('{not json').toString('base64')}`);
    expect(mapper.original('1', SCRIPT, 2, 0)).toBeNull();
  });

  test('finds a map that is not at the end (Jest 29 wraps the module, comment included) and takes the last one', () => {
    const mapper = new SourceMapper();
    const wrapped = `({"Object.<anonymous>":function(){${code}${inlineMap(['../src/old.ts'])}\n${inlineMap()}\n}});`;
    mapper.add('1', SCRIPT, wrapped);
    expect(mapper.original('1', SCRIPT, 0, 0)).toEqual({ file: '/project/src/make.ts', line: 1 });
  });

  test('reads a map with a charset in its data URL', () => {
    const mapper = new SourceMapper();
    mapper.add('1', SCRIPT, `${code}${inlineMap(undefined, undefined, 'data:application/json;charset=utf-8;base64,')}`);
    expect(mapper.original('1', SCRIPT, 2, 0)).toEqual({ file: '/project/src/make.ts', line: 10 });
  });

  test('keeps the first source registered for a script id', () => {
    const mapper = new SourceMapper();
    mapper.add('1', SCRIPT, `${code}${inlineMap()}`);
    mapper.add('1', SCRIPT, `${code}${inlineMap(['../src/other.ts'])}`);
    expect(mapper.original('1', SCRIPT, 2, 0)?.file).toBe('/project/src/make.ts');
  });

  test('reads file:// script URLs as paths', () => {
    const mapper = new SourceMapper();
    const url = 'file:///project/dist/make.js';
    mapper.add('1', url, `${code}${inlineMap()}`);
    expect(mapper.original('1', url, 2, 0)).toEqual({ file: '/project/src/make.ts', line: 10 });
  });
});
