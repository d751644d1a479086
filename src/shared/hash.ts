import { createHash } from 'node:crypto';

/**
 * The one hash of the runner's own ids and fingerprints (schedule ids, batch entry ids, alert ids,
 * the install record's fingerprints): hex of SHA-256 over the UTF-8 text, cut to `length` digits
 * when short ids are wanted. `sha1` is kept for one caller only: alert ids derived from content,
 * which earlier versions showed and an operator may still `ack`. (Task loading hashes file contents
 * on its own, for its caches.)
 */
export function hashHex(text: string, options: { length?: number; algorithm?: 'sha256' | 'sha1' } = {}): string {
  const digest = createHash(options.algorithm ?? 'sha256').update(text, 'utf8').digest('hex');
  return options.length === undefined ? digest : digest.slice(0, options.length);
}
