/**
 * Elements a run of the test left in its document (jsdom, happy-dom). An element the test
 * appends and never removes is held by the document through the DOM implementation's own
 * tree, not by a variable of the project, so a heap snapshot's paths do not name it; and at
 * a jsdom heap a snapshot takes seconds (4.6 s for react-hook-form's iframe test). Looking
 * at the document itself costs one run and a pass over its elements.
 */

/** The parts of a DOM element read here, of any realm. */
interface ElementLike {
  tagName: string;
  id?: string;
  className?: unknown;
  parentElement: ElementLike | null;
}

interface DocumentLike {
  querySelectorAll(selectors: string): ArrayLike<ElementLike>;
}

/** Root elements listed at most: the rest are counted. */
const MAX_LISTED = 3;
/** Class names shown at most: a utility-class framework's list runs to dozens. */
const MAX_CLASSES = 2;
/** An iframe or frame: each holds a window, a whole realm. */
const FRAME = /^<i?frame\b/;

/** The test realm's document, or null where there is none (the node environment). */
export function documentOf(global: object | null): DocumentLike | null {
  try {
    const document = (global as { document?: unknown } | null)?.document;
    return document && typeof (document as DocumentLike).querySelectorAll === 'function' ? (document as DocumentLike) : null;
  } catch {
    return null;
  }
}

/** A static list: indexing jsdom's live getElementsByTagName('*') walks the tree each time (a test that left 10,000 took 56 s). */
function elementsOf(document: DocumentLike): ElementLike[] {
  return Array.from(document.querySelectorAll('*'));
}

export interface DocumentLeftovers {
  /** Outermost first, grouped: "2 × <div class="toast"> in <body>"; empty when the run left none. */
  lines: string[];
  /** Whether an iframe or frame is among them: each holds a window, a whole realm. */
  frames: boolean;
}

/** Runs `run` and describes the elements it left in `document`. */
export async function documentLeftovers(document: DocumentLike, run: () => Promise<void>): Promise<DocumentLeftovers> {
  const before = new Set<ElementLike>(elementsOf(document));
  await run();
  const added = elementsOf(document).filter((element) => !before.has(element));
  const addedSet = new Set(added);
  /** Each added element's outermost added ancestor (itself for a root), and how many it holds. */
  const inside = new Map<ElementLike, number>();
  for (const element of added) {
    let root = element;
    while (root.parentElement && addedSet.has(root.parentElement)) root = root.parentElement;
    inside.set(root, (inside.get(root) ?? 0) + (root === element ? 0 : 1));
  }
  const groups = new Map<string, { roots: number; inside: number }>();
  for (const [root, count] of inside) {
    const key = `${tagOf(root)}${root.parentElement ? ` in ${tagOf(root.parentElement)}` : ''}`;
    const group = groups.get(key) ?? { roots: 0, inside: 0 };
    group.roots += 1;
    group.inside += count;
    groups.set(key, group);
  }
  const lines = [...groups].map(([key, group]) => {
    const count = group.roots > 1 ? `${group.roots} × ` : '';
    const held = group.inside > 0 ? ` (${group.inside} ${group.inside === 1 ? 'element' : 'elements'} inside)` : '';
    const frame = FRAME.test(key) ? `, ${group.roots > 1 ? 'each ' : ''}with a window of its own` : '';
    return `${count}${key}${held}${frame}`;
  });
  const frames = [...groups.keys()].some((key) => FRAME.test(key));
  if (lines.length <= MAX_LISTED) return { lines, frames };
  return { lines: [...lines.slice(0, MAX_LISTED), `and ${lines.length - MAX_LISTED} more`], frames };
}

/** `<div id="app" class="toast">`: what a person finds the element by. */
export function tagOf(element: ElementLike): string {
  const id = typeof element.id === 'string' && element.id ? ` id="${element.id}"` : '';
  const classes = typeof element.className === 'string' ? element.className.trim().split(/\s+/).filter(Boolean) : [];
  const shown = classes.length > MAX_CLASSES ? [...classes.slice(0, MAX_CLASSES), '…'] : classes;
  const className = shown.length > 0 ? ` class="${shown.join(' ')}"` : '';
  return `<${element.tagName.toLowerCase()}${id}${className}>`;
}
