/** How messages name a test. */

/** A title as a JSON string: control characters escaped, at most 200 characters. */
export function quoteTestName(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}
