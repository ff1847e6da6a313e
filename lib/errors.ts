/** The message of anything thrown, from any realm (test code's Errors are not our Error). */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
