/**
 * The Jest glue: `withLeakDetection(Base)` turns any Jest environment class into one whose
 * tests are measured by a LeakwatchSession. The class stays Jest's in every other respect.
 */
import type { EnvironmentContext, JestEnvironment, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { LeakwatchSession, type HostEnvironment } from './session';

// A mixin's base must be constructible from `any[]` (TS2545); Jest passes (config, context).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EnvironmentClass = new (...args: any[]) => JestEnvironment;

export function withLeakDetection<Base extends EnvironmentClass>(Base: Base): Base {
  return class LeakwatchEnvironment extends Base {
    readonly leakwatchSession: LeakwatchSession;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...(args as [JestEnvironmentConfig, EnvironmentContext]));
      const [config, context] = args as [JestEnvironmentConfig, EnvironmentContext];
      this.leakwatchSession = new LeakwatchSession(config, context, this as unknown as HostEnvironment);
    }

    override async setup(): Promise<void> {
      await super.setup();
      await this.leakwatchSession.start();
    }

    override async teardown(): Promise<void> {
      await this.leakwatchSession.stop();
      await super.teardown();
    }

    // A property, as JestEnvironment declares it; the base class's own handler runs first.
    override handleTestEvent = async (event: Circus.Event, state: Circus.State): Promise<void> => {
      const base = (Base.prototype as { handleTestEvent?: (event: Circus.Event, state: Circus.State) => unknown }).handleTestEvent;
      if (base) await base.call(this, event, state);
      await this.leakwatchSession.handleTestEvent(event, state);
    };
  };
}
