/**
 * Text of anything thrown, from any realm: a test's Errors come from its own context, so
 * `instanceof Error` is false for them.
 */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** The stack when there is one (it starts with the message), else the message. */
export function errorStack(error: unknown): string {
  const stack = (error as { stack?: unknown } | null)?.stack;
  return typeof stack === 'string' && stack !== '' ? stack : errorMessage(error);
}

/** An Error with the same message, for APIs that need one. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : Object.assign(new Error(errorMessage(error)), { cause: error });
}
