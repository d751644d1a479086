import { closeSync, openSync, readSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const ID_BYTES = 16;
// Random bytes for this many ids are read at once: a worker makes an id for every job, and an
// open, read and close of /dev/urandom each time cost more than the rest of the id.
const IDS_PER_READ = 32;

let pool: Buffer | undefined;
let used = 0;

/**
 * A random (version 4) UUID for a run's `run_id`, from the kernel's random source. Reading
 * /dev/urandom is what node:crypto would do, without loading node:crypto (a cost of every start;
 * measured: docs/benchmarks.md); where there is no /dev/urandom, node:crypto's own.
 */
export function newRunId(): string {
  if (!pool || used === pool.length) {
    pool = readUrandom(ID_BYTES * IDS_PER_READ);
    used = 0;
    if (!pool) return randomUUID();
  }
  const bytes = pool.subarray(used, used + ID_BYTES);
  used += ID_BYTES;
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readUrandom(size: number): Buffer | undefined {
  const bytes = Buffer.alloc(size);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      return readSync(fd, bytes, 0, size, null) === size ? bytes : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
