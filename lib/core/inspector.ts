/** node:inspector: a synchronous call, and the one session that stays connected. */
import { Session } from 'node:inspector';

let shared: Session | null = null;

/**
 * A session connected once and never disconnected. Disconnecting any session clears V8's
 * heap object ids (the inspector's heap profiler agent is disabled with it), and a leak's
 * retainers are the objects whose ids in the snapshot after one more run are newer than the
 * last id before it: a session closed between the two made every object look new.
 */
export function sharedSession(): Session {
  if (!shared) {
    shared = new Session();
    shared.connect();
  }
  return shared;
}

/** Session#post calls back synchronously for this thread's own inspector, so the result is there on return. */
export function postSync(session: Session, method: string, params: object = {}): unknown {
  const answer: { error: Error | null; value?: unknown } = { error: null };
  session.post(method, params, (error, value) => {
    answer.error = error;
    answer.value = value;
  });
  if (answer.error) throw answer.error;
  return answer.value;
}
