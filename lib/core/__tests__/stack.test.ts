import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { firstUserFrame, isInside, isProjectFile, OWN_DIST, toFilePath, userSite } from '../stack';

const root = path.resolve('/project');
const inRoot = (...parts: string[]) => path.join(root, ...parts);

describe('isInside', () => {
  test('is true below the folder only', () => {
    expect(isInside(inRoot('src', 'a.ts'), root)).toBe(true);
    expect(isInside(root, root)).toBe(false);
    expect(isInside(path.resolve('/project-2/a.ts'), root)).toBe(false);
    expect(isInside(path.resolve('/a.ts'), root)).toBe(false);
  });
});

describe('isProjectFile', () => {
  test('is an absolute path under rootDir', () => {
    expect(isProjectFile(inRoot('src', 'server.ts'), root)).toBe(true);
    expect(isProjectFile('src/server.ts', root)).toBe(false);
    expect(isProjectFile(path.resolve('/other/server.ts'), root)).toBe(false);
  });

  test('is not a file in node_modules', () => {
    expect(isProjectFile(inRoot('node_modules', 'jest-circus', 'build', 'run.js'), root)).toBe(false);
  });

  test("is not leakwatch's own code, even under rootDir", () => {
    expect(isProjectFile(path.join(OWN_DIST, 'core', 'stack.js'), path.dirname(OWN_DIST))).toBe(false);
  });
});

describe('toFilePath', () => {
  test('decodes file:// URLs, as text or URL', () => {
    const file = inRoot('my tests', 'é.test.ts');
    const url = pathToFileURL(file);
    expect(toFilePath(url.href)).toBe(file);
    expect(toFilePath(url)).toBe(file);
  });

  test('returns other text as given', () => {
    expect(toFilePath('node:internal/timers')).toBe('node:internal/timers');
    expect(toFilePath(inRoot('a.ts'))).toBe(inRoot('a.ts'));
  });
});

describe('firstUserFrame', () => {
  test("is the innermost project line, relative and with '/'", () => {
    const stack = [
      'Error: x',
      `    at open (${inRoot('node_modules', 'pg', 'index.js')}:10:5)`,
      `    at connect (${inRoot('src', 'db.ts')}:14:3)`,
      `    at ${inRoot('test', 'db.test.ts')}:3:1`,
    ].join('\n');
    expect(firstUserFrame(stack, root)).toBe('src/db.ts:14');
  });

  test('is null without a project line', () => {
    expect(firstUserFrame('Error: x\n    at node:internal/timers:1:1', root)).toBeNull();
  });
});

describe('userSite', () => {
  // This file is under lib/, which counts as leakwatch's own code here: the error comes from a file of a fake project.
  test("is the innermost project line of the error's frames", () => {
    const error = vm.runInThisContext('(function make() {\n\n  return new Error("x");\n})()', {
      filename: inRoot('src', 'make.js'),
    }) as Error;
    expect(userSite(error, root)).toBe('src/make.js:3');
  });

  test('reads the stack text when the stack was already formatted', () => {
    const error = vm.runInThisContext('new Error("x")', { filename: inRoot('src', 'early.js') }) as Error;
    expect(error.stack).toContain('early.js:1');
    expect(userSite(error, root)).toBe('src/early.js:1');
  });

  test("adds the test file's outermost line when the code that made it is in another file", () => {
    // Made with this realm's Error, so that its call sites are read raw, as leakwatch's own are.
    const make = vm.runInThisContext('(function make(E) {\n  return new E("x");\n})', {
      filename: inRoot('src', 'make.js'),
    }) as (E: ErrorConstructor) => Error;
    const error = vm.runInThisContext('(function outer(make, E) {\n  return (function inner() {\n    return make(E);\n  })();\n})', {
      filename: inRoot('__tests__', 'make.test.js'),
    })(make, Error) as Error;
    expect(userSite(error, root, inRoot('__tests__', 'make.test.js'))).toBe('src/make.js:2 from __tests__/make.test.js:4');
    expect(userSite(error, root)).toBe('src/make.js:2');
  });

  test('adds the caller from the stack text too', () => {
    const make = vm.runInThisContext('(function make() {\n  return new Error("x");\n})', {
      filename: inRoot('src', 'make.js'),
    }) as () => Error;
    const error = vm.runInThisContext('(function outer(make) {\n  return make();\n})', {
      filename: inRoot('__tests__', 'make.test.js'),
    })(make) as Error;
    expect(userSite(error, root, inRoot('__tests__', 'make.test.js'))).toBe('src/make.js:2 from __tests__/make.test.js:2');
  });

  test('names one line when the test file made it itself, whatever called the test file', () => {
    const make = vm.runInThisContext('(function make(E) {\n  return new E("x");\n})', {
      filename: inRoot('__tests__', 'make.test.js'),
    }) as (E: ErrorConstructor) => Error;
    const error = vm.runInThisContext('(function dispatch(make, E) {\n  return make(E);\n})', {
      filename: inRoot('lib', 'app.js'),
    })(make, Error) as Error;
    expect(userSite(error, root, inRoot('__tests__', 'make.test.js'))).toBe('__tests__/make.test.js:2');
  });

  test('is null when no frame is in the project', () => {
    expect(userSite(new Error('elsewhere'), path.resolve('/nowhere'))).toBeNull();
  });
});
