/**
 * Native memory outside V8, read cheaply: the process's resident anonymous memory (Linux
 * `/proc/self/statm`) minus what V8 accounts for. Pure arithmetic and parsing here; the
 * probe (native.ts) decides what a difference means.
 */
import * as fs from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** What one reading is made of, in bytes. */
export interface NativeReading {
  /** Resident anonymous memory of the whole process: RSS minus file-backed and shared pages. */
  anonymous: number;
  /** V8 heap pages actually resident (`total_physical_size`; committed is `heapTotal`). */
  heapPhysical: number;
  /** Memory V8 knows of outside its heap: ArrayBuffers, Buffers, WebAssembly memories, zlib's reported share. */
  external: number;
  /** V8's own malloc'ed memory (compiler zones, tables). */
  v8Malloced: number;
}

/**
 * Bytes neither V8's heap nor its external counter accounts for. Only differences of it
 * mean something: it also holds Node's and libraries' fixed native memory, thread stacks,
 * and malloc arenas that keep pages after `free`.
 */
export function unaccounted(reading: NativeReading): number {
  return reading.anonymous - reading.heapPhysical - reading.external - reading.v8Malloced;
}

/**
 * Resident anonymous pages from `/proc/<pid>/statm` ("size resident shared text lib data dt",
 * in pages): resident minus shared (file-backed and shmem), as the kernel counts RssAnon.
 * Null for text that is not that.
 */
export function parseStatm(text: string): number | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 3) return null;
  const resident = Number(fields[1]);
  const shared = Number(fields[2]);
  if (!Number.isSafeInteger(resident) || !Number.isSafeInteger(shared) || shared > resident) return null;
  return resident - shared;
}

/**
 * statm counts pages, and Node does not expose the page size (4 KB on x64, 4, 16 or 64 KB
 * on arm64): it is the RSS in bytes over the resident pages, rounded to a power of two.
 */
export function pageSizeOf(rssBytes: number, residentPages: number): number | null {
  if (!(rssBytes > 0) || !(residentPages > 0)) return null;
  const size = 2 ** Math.round(Math.log2(rssBytes / residentPages));
  return size >= 1024 && size <= 1024 * 1024 ? size : null;
}

export type AnonymousMemoryReader = () => number | null;

/**
 * Opens `/proc/self/statm` once and re-reads it from offset 0 (3.6 µs a read against 25 µs
 * with readFileSync; see docs/measurements.md). Null where there is no such file (not
 * Linux), or its numbers make no sense.
 */
export function openStatm(path = '/proc/self/statm'): { read: AnonymousMemoryReader; close: () => void } | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  const buffer = Buffer.alloc(256);
  const readPages = (): { resident: number; anonymous: number } | null => {
    try {
      const text = buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
      const anonymous = parseStatm(text);
      return anonymous === null ? null : { resident: Number(text.split(' ')[1]), anonymous };
    } catch {
      return null;
    }
  };
  const close = (): void => {
    try {
      fs.closeSync(fd);
    } catch {
      // Already closed: nothing to release.
    }
  };
  const first = readPages();
  const pageSize = first && pageSizeOf(process.memoryUsage.rss(), first.resident);
  if (!pageSize) {
    close();
    return null;
  }
  return {
    read: () => {
      const pages = readPages();
      return pages && pages.anonymous * pageSize;
    },
    close,
  };
}

/** One reading: the anonymous memory, then V8's numbers (nothing allocates in between). */
export function readNative(readAnonymous: AnonymousMemoryReader): NativeReading | null {
  const anonymous = readAnonymous();
  if (anonymous === null) return null;
  const heap = getHeapStatistics();
  return {
    anonymous,
    heapPhysical: heap.total_physical_size,
    external: heap.external_memory ?? process.memoryUsage().external,
    v8Malloced: heap.malloced_memory,
  };
}

/**
 * The native addons (`.node` files) mapped into this process, from `/proc/self/maps` text:
 * what a native leak's message names as the likely culprits. `exclude` drops leakwatch's own.
 */
export function loadedAddons(mapsText: string, exclude: (file: string) => boolean): string[] {
  const addons = new Set<string>();
  for (const line of mapsText.split('\n')) {
    const file = line.slice(line.indexOf('/'));
    if (line.includes('/') && file.endsWith('.node') && !exclude(file)) addons.add(file);
  }
  return [...addons];
}
