/** documentLeftovers: the elements one more run left in the test's document, outermost first. */
import { JSDOM } from 'jsdom';
import { documentLeftovers, documentOf } from '../document-leftovers';

function page(): Document {
  return new JSDOM('<!doctype html><body><main id="app"></main></body>').window.document;
}

test('an iframe appended to the body and never removed is named with where it is', async () => {
  const document = page();
  const left = await documentLeftovers(document, async () => {
    document.body.append(document.createElement('iframe'));
  });
  expect(left).toEqual({ lines: ['<iframe> in <body>, with a window of its own'], frames: true });
});

test('a list rendered into the page is one entry, with what it holds counted', async () => {
  const document = page();
  const left = await documentLeftovers(document, async () => {
    const list = document.createElement('ul');
    list.className = 'results';
    for (let i = 0; i < 3; i++) list.append(document.createElement('li'));
    document.getElementById('app')!.append(list);
  });
  expect(left).toEqual({ lines: ['<ul class="results"> in <main id="app"> (3 elements inside)'], frames: false });
});

test('two iframes: each holds a window', async () => {
  const document = page();
  const left = await documentLeftovers(document, async () => {
    for (let i = 0; i < 2; i++) document.body.append(document.createElement('iframe'));
  });
  expect(left).toEqual({ lines: ['2 × <iframe> in <body>, each with a window of its own'], frames: true });
});

test('the same element added twice reads as a count', async () => {
  const document = page();
  const left = await documentLeftovers(document, async () => {
    for (let i = 0; i < 2; i++) document.body.append(Object.assign(document.createElement('div'), { className: 'toast' }));
  });
  expect(left.lines).toEqual(['2 × <div class="toast"> in <body>']);
});

test('elements added and removed again, or already there, are not listed', async () => {
  const document = page();
  document.body.append(document.createElement('section'));
  const left = await documentLeftovers(document, async () => {
    const dialog = document.createElement('dialog');
    document.body.append(dialog);
    dialog.remove();
  });
  expect(left).toEqual({ lines: [], frames: false });
});

test('past three kinds of element, the rest are counted', async () => {
  const document = page();
  const left = await documentLeftovers(document, async () => {
    for (const tag of ['p', 'span', 'img', 'video', 'canvas']) document.body.append(document.createElement(tag));
  });
  expect(left.lines).toEqual(['<p> in <body>', '<span> in <body>', '<img> in <body>', 'and 2 more']);
});

test('a long class list is cut to its first two names', async () => {
  const document = page();
  const left = await documentLeftovers(document, async () => {
    document.body.append(Object.assign(document.createElement('div'), { className: 'toast  toast-error fixed top-0 z-50' }));
  });
  expect(left.lines).toEqual(['<div class="toast toast-error …"> in <body>']);
});

test('documentOf finds a document on a DOM global only', () => {
  const { window } = new JSDOM('');
  expect(documentOf(window)).toBe(window.document);
  expect(documentOf(globalThis)).toBeNull();
  expect(documentOf(null)).toBeNull();
  const throwing = Object.defineProperty({}, 'document', {
    get() {
      throw new Error('torn down');
    },
  });
  expect(documentOf(throwing)).toBeNull();
});
