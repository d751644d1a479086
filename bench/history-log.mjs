// Writes a realistic run log for the history benchmark: records of ten tasks in the writer's key
// order (SPEC §8), about one in twelve failed, a few locked starts and a few corrupt lines.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export const TASKS = [
  'heartbeat', 'memory_capture', 'memory_consolidate', 'batch', 'disk_report',
  'gateway_check', 'backup', 'cron_sync', 'inbox_triage', 'index_rebuild',
];

// Deterministic, so every run of the benchmark reads the same bytes.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function record(n, rand, start, tasks) {
  const task = tasks[Math.floor(rand() * rand() * tasks.length)];
  const timestamp = new Date(start + n * 15_000).toISOString().replace('Z', '+00:00');
  if (rand() < 0.01) return { task, timestamp, success: false, error: 'Task is already running (locked)', locked: true };
  const ok = rand() > 0.08;
  const head = { task, dry_run: false, timestamp, success: ok, message: ok ? `processed ${Math.floor(rand() * 500)} items` : undefined };
  const tail = { duration_seconds: Math.round(rand() * 30_000) / 1000, run_id: `${n.toString(16).padStart(8, '0')}-4f1c-9a2e-${Math.floor(rand() * 1e12).toString(16)}`, attempts: ok ? 1 : 3 };
  if (ok) return { ...head, items: Math.floor(rand() * 500), ...tail };
  return { ...head, ...tail, error: `connect ECONNREFUSED 127.0.0.1:${18000 + Math.floor(rand() * 100)}`, error_type: 'Error', retry_attempts: 2, all_attempts_failed: true };
}

/**
 * Write `lines` lines to `<home>/logs/tasks.jsonl`, every 100,000th one corrupt, of the given tasks
 * (the first ones much more often than the last: some tasks run every minute, some once a week).
 */
export function writeRunLog(home, lines, tasks = TASKS) {
  const file = path.join(home, 'logs', 'tasks.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  const rand = random(42);
  const start = Date.now() - lines * 15_000;
  let batch = '';
  for (let n = 0; n < lines; n++) {
    batch += n % 100_000 === 50_000 ? '{"task":"backup","timestamp":"2026-0\n' : `${JSON.stringify(record(n, rand, start, tasks))}\n`;
    if (batch.length > 1 << 20) {
      writeSync(fd, batch);
      batch = '';
    }
  }
  writeSync(fd, batch);
  closeSync(fd);
  return file;
}
