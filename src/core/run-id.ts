import { closeSync, openSync, readSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/**
 * A random (version 4) UUID for a run's `run_id`, from the kernel's random source. Reading 16 bytes
 * of /dev/urandom is what node:crypto would do, without loading node:crypto (about 3 ms of every
 * start); where there is no /dev/urandom, node:crypto's own.
 */
export function newRunId(): string {
  const bytes = Buffer.alloc(16);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, bytes, 0, 16, null) !== 16) return randomUUID();
    } finally {
      closeSync(fd);
    }
  } catch {
    return randomUUID();
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
