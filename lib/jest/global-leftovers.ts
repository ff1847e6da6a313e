/**
 * Jest 30's node environment keeps every value a global property held before a test replaced
 * or deleted it, until teardown, to empty it then (GlobalProxy's `leftovers`,
 * https://github.com/jestjs/jest/pull/15215). A test that sets a big global and cleans it up
 * would read as keeping it, run after run. So after each run leakwatch holds those values
 * weakly instead, and at teardown gives Jest back the ones still alive, to empty as before.
 */

interface Leftover {
  property: string | symbol;
  value: unknown;
}

/** The part of Jest 30's GlobalProxy this reads: absent before Jest 30 and under jsdom. */
interface GlobalProxyLike {
  leftovers: Leftover[];
}

export class GlobalLeftovers {
  private readonly released: Array<{ property: string | symbol; value: WeakRef<object> }> = [];

  private constructor(private readonly proxy: GlobalProxyLike) {}

  /** For an environment with Jest 30's GlobalProxy, else null. */
  static of(environment: object): GlobalLeftovers | null {
    const proxy = (environment as { _globalProxy?: unknown })._globalProxy;
    if (typeof proxy !== 'object' || proxy === null) return null;
    return Array.isArray((proxy as Partial<GlobalProxyLike>).leftovers) ? new GlobalLeftovers(proxy as GlobalProxyLike) : null;
  }

  /** Takes the values replaced so far out of Jest's list; a primitive has nothing to empty. */
  release(): void {
    const { leftovers } = this.proxy;
    if (leftovers.length === 0) return;
    for (const { property, value } of leftovers.splice(0)) {
      if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
        this.released.push({ property, value: new WeakRef(value) });
      }
    }
  }

  /** Before Jest's teardown: the released values still alive go back to be emptied. */
  restore(): void {
    for (const { property, value } of this.released.splice(0)) {
      const alive = value.deref();
      if (alive !== undefined) this.proxy.leftovers.push({ property, value: alive });
    }
  }
}
