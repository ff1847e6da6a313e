/** What a call throws, for unit tests that check exact messages. */
import { LeakwatchConfigError } from '../config-error';

/** The message of what `run` throws. */
export function thrownMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

/** The message of what `run` throws, checked to be a LeakwatchConfigError. */
export function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LeakwatchConfigError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
}
