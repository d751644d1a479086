import { readSync } from 'node:fs';

/**
 * The first `size` bytes of an open file, read synchronously (the start-up paths that read the
 * config files must stay synchronous). Stops early at end of file, so a file that shrank after
 * its fstat gives what is there.
 */
export function readFullySync(fd: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, bytes, offset, size - offset, offset);
    if (read === 0) break;
    offset += read;
  }
  return bytes.subarray(0, offset);
}
