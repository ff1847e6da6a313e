/** Byte sizes as users write them ('512KB', '2MB', 1048576) and as messages print them. */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Parses a byte size. Returns undefined for anything that is not a finite,
 * non-negative size, so the caller can name the option in its error.
 * KB and KiB both mean 1024 bytes: that is what heap tools (DevTools, Node) print.
 */
export function parseBytes(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = match[2].toLowerCase() || 'b';
  const factor = UNITS[unit];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

/** 1536 -> '1.5 KB', 3 * 1024 ** 2 -> '3.0 MB'. Negative values keep their sign. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${sign}${Math.round(abs)} B`;
  if (abs < 1024 ** 2) return `${sign}${(abs / 1024).toFixed(abs < 10 * 1024 ? 1 : 0)} KB`;
  if (abs < 1024 ** 3) return `${sign}${(abs / 1024 ** 2).toFixed(1)} MB`;
  return `${sign}${(abs / 1024 ** 3).toFixed(2)} GB`;
}

/** "1 open handle", "3 open handles": a count and its noun, plural by an s. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
