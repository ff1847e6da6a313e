/**
 * ListenersProbe: listeners a test added to `process` and did not remove. Both the real
 * process and the test's own `process` (Jest gives each file a copy) are counted per event.
 */
import { BeforeAfterProbe } from './probe';
import type { Finding } from '../core/types';

type Counts = Map<string | symbol, number>;

interface Emitter {
  eventNames(): Array<string | symbol>;
  listenerCount(event: string | symbol): number;
}

export class ListenersProbe extends BeforeAfterProbe<Counts[]> {
  readonly check = 'listeners' as const;

  constructor(private readonly emitters: Emitter[]) {
    super();
  }

  protected read(): Counts[] {
    return this.emitters.map(count);
  }

  protected compare(before: Counts[]): Finding | null {
    const added = new Map<string, number>();
    this.emitters.forEach((emitter, index) => {
      for (const [event, n] of count(emitter)) {
        const extra = n - (before[index].get(event) ?? 0);
        if (extra > 0) added.set(String(event), (added.get(String(event)) ?? 0) + extra);
      }
    });
    if (added.size === 0) return null;
    const total = [...added.values()].reduce((a, b) => a + b, 0);
    return {
      check: 'listeners',
      verdict: 'leak',
      summary: `leaked ${total === 1 ? '1 process listener' : `${total} process listeners`}`,
      details: [
        ...[...added].map(([event, n]) => `process.on('${event}'): ${n} added and not removed`),
        'Remove it with process.off(event, listener) in the test or an afterEach hook; each one keeps its closure alive and repeats its work on every event.',
      ],
    };
  }
}

function count(emitter: Emitter): Counts {
  const counts: Counts = new Map();
  for (const event of emitter.eventNames()) counts.set(event, emitter.listenerCount(event));
  return counts;
}
