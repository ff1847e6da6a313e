/**
 * Each script's file, by inspector script id: learned from CommonJS modules' `__filename`
 * during walks (reachable-collections.ts), or read from the Debugger's script list.
 */
import { postSync, sharedSession } from '../core/inspector';
import { toFilePath } from '../core/stack';

/** Each script's file, by id, as last read (scriptFiles). */
const knownFiles = new Map<string, string>();
/** Scripts' files read from CommonJS modules' `__filename` during walks. */
const learnedFiles = new Map<string, string>();

/** Records a script's file read from its module's `__filename`; the first one read stays. */
export function learnScriptFile(scriptId: string, file: string): void {
  if (!learnedFiles.has(scriptId)) learnedFiles.set(scriptId, file);
}

/** A script's file if a walk or an earlier read of the script list told it, without reading the list. */
export function scriptFileIfKnown(scriptId: string): string | undefined {
  return learnedFiles.get(scriptId) ?? knownFiles.get(scriptId);
}

/** A script's file, known from a walk or the Debugger's script list ('' if none: an eval'd script). */
export function scriptFile(scriptId: string): string {
  return learnedFiles.get(scriptId) ?? scriptFiles(scriptId).get(scriptId) ?? '';
}

/**
 * Each script's file, by id: the Debugger sends every script's URL when it is switched on
 * (~0.3 ms a script), so they are read once, and again only when `scriptId` is not known.
 */
export function scriptFiles(scriptId?: string): ReadonlyMap<string, string> {
  if (scriptId === undefined ? knownFiles.size > 0 : knownFiles.has(scriptId)) return knownFiles;
  const session = sharedSession();
  const onScript = (message: { params: { scriptId: string; url: string } }): void => {
    knownFiles.set(message.params.scriptId, toFilePath(message.params.url));
  };
  session.on('Debugger.scriptParsed', onScript);
  try {
    postSync(session, 'Debugger.enable', {});
    postSync(session, 'Debugger.disable', {});
    return knownFiles;
  } finally {
    session.off('Debugger.scriptParsed', onScript);
  }
}
