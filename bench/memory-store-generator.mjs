// Synthetic memory stores for the memory benchmarks: entries of 5–40 words drawn from a Zipf
// vocabulary, a share of near duplicates (an earlier entry with one word changed, added or removed),
// timestamps in every format the store meets (Z, offsets, naive), seeded so every run sees the same
// store. Usable as a module (generateStore, writeStore) or on its own:
//   node bench/memory-store-generator.mjs --count 100000 --seed 1 --out /tmp/store.json
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A small, fast, seedable generator (mulberry32) returning floats in [0, 1). */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'de', 'po', 'an', 'el', 'or', 'un', 'ix', 'qu', 'be', 'zo'];

// Word of rank r: distinct, pronounceable, longer for rarer words, like real text.
function wordOf(rank) {
  let word = '';
  let n = rank + 1;
  do {
    word += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  } while (n > 0);
  return word;
}

function zipfSampler(size, exponent, next) {
  const cdf = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) cdf[r] = total += 1 / (r + 1) ** exponent;
  return () => {
    const target = next() * total;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const DAY = 86_400_000;

/**
 * Generate `count` store entries. `duplicateShare` of them are near duplicates of an earlier entry;
 * `now` anchors timestamps (spread over the 60 days before it).
 */
export function generateStore({ count, seed = 1, duplicateShare = 0.2, vocabulary = 50_000, exponent = 1.05, now = Date.now() }) {
  const next = random(seed);
  const sampleRank = zipfSampler(vocabulary, exponent, next);
  const words = Array.from({ length: vocabulary }, (_, r) => wordOf(r));
  const texts = new Array(count);
  const entries = new Array(count);
  for (let i = 0; i < count; i++) {
    let text;
    if (i > 0 && next() < duplicateShare) {
      const parts = texts[Math.floor(next() * i)].split(' ');
      const edit = next();
      const at = Math.floor(next() * parts.length);
      if (edit < 0.5) parts[at] = words[sampleRank()];
      else if (edit < 0.8 || parts.length < 6) parts.splice(at, 0, words[sampleRank()]);
      else parts.splice(at, 1);
      text = parts.join(' ');
    } else {
      const length = 5 + Math.floor(next() * 36);
      const parts = new Array(length);
      for (let k = 0; k < length; k++) parts[k] = words[sampleRank()];
      text = parts.join(' ');
    }
    texts[i] = text;
    const at = new Date(now - next() * 60 * DAY);
    const style = next();
    const timestamp =
      style < 0.4 ? at.toISOString() : style < 0.7 ? at.toISOString().replace('Z', '+00:00') : at.toISOString().slice(0, 19);
    entries[i] = {
      text,
      timestamp,
      importance: Math.round((0.1 + next() * 0.9) * 100) / 100,
      source: `${new Date(at).toISOString().slice(0, 10)}.md`,
      markers: next() < 0.5 ? ['bold_item'] : ['header'],
      category: 'auto_captured',
    };
  }
  return entries;
}

/** Write entries as the store does (JSON, indent 2), streamed so a million entries fit. */
export async function writeStore(file, entries) {
  const out = createWriteStream(file);
  let chunk = '[';
  for (let i = 0; i < entries.length; i++) {
    chunk += `${i === 0 ? '' : ','}\n  ${JSON.stringify(entries[i], null, 2).replaceAll('\n', '\n  ')}`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  chunk += entries.length === 0 ? ']\n' : '\n]\n';
  out.end(chunk);
  await once(out, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? fallback : args[at + 1];
  };
  const out = option('out');
  if (!out) {
    console.error('usage: node bench/memory-store-generator.mjs --count N [--seed S] [--duplicates 0.2] --out FILE');
    process.exit(1);
  }
  const entries = generateStore({
    count: Number(option('count', '10000')),
    seed: Number(option('seed', '1')),
    duplicateShare: Number(option('duplicates', '0.2')),
  });
  await writeStore(out, entries);
}
