/**
 * Live objects to and from inspector handles: a handle for one of this realm's values, the
 * value behind a handle, and letting go of a group of handles.
 */
import type { Session } from 'node:inspector';
import { postSync } from '../core/inspector';

export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  objectId?: string;
  description?: string;
}

const RECEIVE = Symbol.for('leakwatch.moduleCollections.receive');

export function release(session: Session, group: string): void {
  try {
    postSync(session, 'Runtime.releaseObjectGroup', { objectGroup: group });
  } catch {
    // Nothing more to free.
  }
}

/**
 * An inspector handle for one of this realm's values: put under a symbol on this realm's
 * global and read back by an evaluation in each context until one sees it (leakwatch runs in
 * Node's main context under Jest, but in a test's context in its own unit tests).
 */
export function remoteId(session: Session, value: unknown, group: string): string {
  Reflect.set(globalThis, RECEIVE, value);
  const contexts: Array<number | undefined> = [undefined];
  const onContext = (message: { params: { context: { id: number } } }): void => {
    contexts.push(message.params.context.id);
  };
  try {
    for (let index = 0; index < contexts.length; index++) {
      const answer = postSync(session, 'Runtime.evaluate', {
        expression: `globalThis[Symbol.for('${RECEIVE.description}')]`,
        objectGroup: group,
        ...(contexts[index] === undefined ? {} : { contextId: contexts[index] }),
      }) as { result: RemoteObject };
      if (answer.result.objectId) return answer.result.objectId;
      if (index === 0) {
        session.on('Runtime.executionContextCreated', onContext);
        postSync(session, 'Runtime.enable', {});
        postSync(session, 'Runtime.disable', {});
      }
    }
    return '';
  } finally {
    session.off('Runtime.executionContextCreated', onContext);
    Reflect.deleteProperty(globalThis, RECEIVE);
  }
}

/**
 * The live object behind an inspector handle. The inspector hands it only to a function of
 * its own realm, so a receiver is put under a symbol on each realm's global for the call.
 */
export function handOver(session: Session, objectId: string, realmGlobals: readonly object[]): object | null {
  let received: object | null = null;
  const receive = (value: object): void => {
    received = value;
  };
  for (const global of realmGlobals) Reflect.set(global, RECEIVE, receive);
  try {
    postSync(session, 'Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: `function () { globalThis[Symbol.for('${RECEIVE.description}')]?.(this); }`,
    });
    return received;
  } catch {
    return null;
  } finally {
    for (const global of realmGlobals) Reflect.deleteProperty(global, RECEIVE);
  }
}
