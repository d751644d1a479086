/**
 * A 128-bit content hash in plain JavaScript (MurmurHash3's x86 128-bit mixing), for naming cache
 * entries by what they hold: the compiled-module cache and the V8 code cache's checksum.
 *
 * Why not node:crypto: loading it is paid by every cron tick for a hash of a few hundred bytes
 * (measured: docs/benchmarks.md). These names are not a security boundary: the caches live in a
 * private folder, and whoever can choose the sources being hashed can already run code as the user.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/** The hash of `bytes` (or of a string's UTF-8 bytes), as 32 hex digits. */
export function contentHash(input: Uint8Array | string, seed = 0): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const length = bytes.length;
  const blocks = length - (length % 16);
  let h1 = seed >>> 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = word(bytes, i);
    let k2 = word(bytes, i + 4);
    let k3 = word(bytes, i + 8);
    let k4 = word(bytes, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The last 0-15 bytes, each lane taking its four.
  const tail = [0, 0, 0, 0];
  for (let i = blocks; i < length; i++) tail[(i - blocks) >> 2]! |= bytes[i]! << (8 * ((i - blocks) & 3));
  if (length > blocks) {
    h1 ^= Math.imul(rotl(Math.imul(tail[0]!, C1), 15), C2);
    h2 ^= Math.imul(rotl(Math.imul(tail[1]!, C2), 16), C3);
    h3 ^= Math.imul(rotl(Math.imul(tail[2]!, C3), 17), C4);
    h4 ^= Math.imul(rotl(Math.imul(tail[3]!, C4), 18), C1);
  }
  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}

function word(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
