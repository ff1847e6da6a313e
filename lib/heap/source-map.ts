/**
 * Maps positions in code Jest transformed (Babel, ts-jest, swc) back to the user's source.
 * Jest's transformers append the map inline (`//# sourceMappingURL=data:…`), so the script
 * source V8 holds is all we need.
 */
import * as path from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { toFilePath } from '../core/stack';

export interface SourcePosition {
  file: string;
  /** 1-based, as editors show it. */
  line: number;
}

// Not anchored at the end: Jest 29 wraps the module code, map comment included, in a function.
const INLINE_MAP = /\/\/[#@] sourceMappingURL=data:application\/json;(?:charset=[^;,]+;)?base64,([A-Za-z0-9+/=]+)/g;

export class SourceMapper {
  private readonly maps = new Map<string, TraceMap | null>();

  /** Registers a script's source; call before `original` for that script. */
  add(scriptId: string, scriptUrl: string, source: string): void {
    if (this.maps.has(scriptId)) return;
    const match = [...source.matchAll(INLINE_MAP)].pop();
    if (!match) {
      this.maps.set(scriptId, null);
      return;
    }
    try {
      const json = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')) as { sourceRoot?: string };
      this.maps.set(scriptId, new TraceMap(json as ConstructorParameters<typeof TraceMap>[0], scriptUrl));
    } catch {
      this.maps.set(scriptId, null);
    }
  }

  /** The original position of a 0-based generated line and column, or null. */
  original(scriptId: string, scriptUrl: string, line: number, column: number): SourcePosition | null {
    const map = this.maps.get(scriptId);
    if (!map) return null;
    const position = originalPositionFor(map, { line: line + 1, column });
    if (position.line === null || position.source === null) return null;
    const source = toFilePath(position.source);
    const file = path.resolve(path.dirname(scriptUrl), source);
    return { file, line: position.line };
  }
}
