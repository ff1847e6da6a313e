/**
 * The Jest glue: `withLeakDetection(Base)` turns any Jest environment class into one whose
 * tests are measured by a LeakwatchSession. The class stays Jest's in every other respect.
 */
import type { EnvironmentContext, JestEnvironment, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { whenReady, type MaybePromise } from '../core/maybe-async';
import { LeakwatchSession } from './session';

// A mixin's base must be constructible from `any[]` (TS2545); Jest passes (config, context).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EnvironmentClass = new (...args: any[]) => JestEnvironment;

export function withLeakDetection<Base extends EnvironmentClass>(Base: Base): Base {
  class LeakwatchEnvironment extends Base {
    readonly leakwatchSession: LeakwatchSession;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...(args as [JestEnvironmentConfig, EnvironmentContext]));
      const [config, context] = args as [JestEnvironmentConfig, EnvironmentContext];
      this.leakwatchSession = new LeakwatchSession(config, context, this);
    }

    override async setup(): Promise<void> {
      await super.setup();
      await this.leakwatchSession.start();
    }

    override async teardown(): Promise<void> {
      await this.leakwatchSession.stop();
      await super.teardown();
    }
  }
  // A method on the prototype, not an instance property (as JestEnvironment declares it), so a
  // subclass's own `async handleTestEvent(event, state)` overrides it and can call super's.
  // The base class's own handler, if any, runs first.
  const baseHandler = (Base.prototype as { handleTestEvent?: EventHandler }).handleTestEvent;
  Object.defineProperty(LeakwatchEnvironment.prototype, 'handleTestEvent', {
    configurable: true,
    writable: true,
    // Not async: a promise only when something has to wait (core/maybe-async.ts).
    value: function handleTestEvent(this: LeakwatchEnvironment, event: Circus.Event, state: Circus.State): MaybePromise<void> {
      const base = baseHandler?.call(this, event, state);
      return whenReady(base, () => this.leakwatchSession.handleTestEvent(event, state));
    },
  });
  return LeakwatchEnvironment;
}

type EventHandler = (event: Circus.Event, state: Circus.State) => unknown;
