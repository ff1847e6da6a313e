/** A synchronous call on node:inspector's Session. */
import type { Session } from 'node:inspector';

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
