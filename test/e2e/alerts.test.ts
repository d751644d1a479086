import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, readRecords, runCli, runCliWithStdoutTo, startCli, collect, writeFile } from '../helpers/cli.js';
import { alerter, WRITER } from '../fixtures/tasks.js';

/** A home with 50 alerting tasks, `alerter_0` … `alerter_49` (one task's runs would lock each other out). */
function alertHome() {
  const { home, workspace } = makeHome();
  for (let i = 0; i < 50; i++) writeFile(home, `tasks/alerter_${i}.mjs`, alerter(`alerter_${i}`));
  writeFile(home, 'runner.config.json', JSON.stringify({ retry: { attempts: 1 } }));
  const file = path.join(home, 'alerts', 'pending.json');
  return { home, workspace, file, args: ['--home', home, '--workspace', workspace] };
}

describe('alerts', () => {
  it("stamps an alert as its run's record is stamped: ISO 8601 with the offset, not Z", async () => {
    const h = alertHome();
    const result = await runCli(['alerter_0', 'stamped', ...h.args], { env: { TZ: 'Asia/Kolkata' } });
    expect(result.code).toBe(0);
    const [alert] = JSON.parse(readFileSync(h.file, 'utf8')) as { timestamp: string }[];
    const [record] = readRecords(readFileSync(path.join(h.home, 'logs', 'tasks.jsonl'), 'utf8'));
    const format = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30$/;
    expect(record!.timestamp).toMatch(format);
    expect(alert!.timestamp).toMatch(format);
  });

  it('50 processes alerting at once leave 50 alerts with distinct ids', async () => {
    const h = alertHome();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => runCli([`alerter_${i}`, `message ${i}`, ...h.args])),
    );
    expect(results.map((result) => result.code)).toEqual(Array(50).fill(0));
    const alerts = JSON.parse(readFileSync(h.file, 'utf8')) as { id: string; message: string; task: string; level: string }[];
    expect(alerts).toHaveLength(50);
    expect(new Set(alerts.map((alert) => alert.id)).size).toBe(50);
    expect(new Set(alerts.map((alert) => alert.message))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `message ${i}`)));
    expect(alerts[0]).toMatchObject({ task: expect.stringMatching(/^alerter_/), level: 'warning' });
  });

  it('a drain racing with writers loses none and prints none twice', async () => {
    const h = alertHome();
    const writers = Array.from({ length: 30 }, (_, i) => runCli([`alerter_${i}`, `racing ${i}`, ...h.args]));
    const drains = Array.from({ length: 6 }, () => runCli(['alerts', '--drain', '--json', ...h.args]));
    const [writeResults, drainResults] = await Promise.all([Promise.all(writers), Promise.all(drains)]);
    expect(writeResults.every((result) => result.code === 0)).toBe(true);
    const printed = drainResults.flatMap((result) => {
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { message: string }[]).map((alert) => alert.message);
    });
    const final = await runCli(['alerts', '--drain', '--json', ...h.args]);
    const rest = (JSON.parse(final.stdout) as { message: string }[]).map((alert) => alert.message);
    const all = [...printed, ...rest].sort();
    expect(all).toEqual(Array.from({ length: 30 }, (_, i) => `racing ${i}`).sort());
  });

  it('a corrupt pending.json fails the alerting run clearly and stays byte-for-byte unchanged', async () => {
    const h = alertHome();
    const corrupt = '[{"id":"a1","task":"x","level":"info","message":"half';
    writeFile(h.home, 'alerts/pending.json', corrupt);
    const result = await runCli(['alerter_0', 'hello', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pending.json');
    expect(readFileSync(h.file, 'utf8')).toBe(corrupt);
    const listing = await runCli(['alerts', ...h.args]);
    expect(listing.code).toBe(1);
    expect(listing.stderr).toMatch(/cannot parse .*pending\.json/);
    expect(readFileSync(h.file, 'utf8')).toBe(corrupt);
  });

  it('reads alerts written by the old scripts, acks them by their shown id, and keeps the rest', async () => {
    const h = alertHome();
    const legacy = [
      { task: 'system_health', timestamp: '2026-02-03T17:35:00', level: 'critical', message: 'disk 95% full' },
      { task: 'memory_consolidate', timestamp: '2026-02-03T18:00:00', level: 'info', message: 'pruned 60' },
    ];
    writeFile(h.home, 'alerts/pending.json', JSON.stringify(legacy, null, 2));
    const listed = JSON.parse((await runCli(['alerts', '--json', ...h.args])).stdout) as { id: string; message: string }[];
    expect(listed.map((alert) => alert.message)).toEqual(['disk 95% full', 'pruned 60']);
    const table = await runCli(['alerts', ...h.args]);
    expect(table.stdout).toContain(listed[0]!.id);
    expect(table.stdout).toContain('disk 95% full');
    const ack = await runCli(['alerts', 'ack', listed[0]!.id, ...h.args]);
    expect(ack.code).toBe(0);
    const left = JSON.parse(readFileSync(h.file, 'utf8')) as { id: string; message: string }[];
    expect(left).toEqual([{ id: listed[1]!.id, ...legacy[1] }]);
    const unknown = await runCli(['alerts', 'ack', 'nope', ...h.args]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nope');
  });
});

/** Every file under `dir` with its content, except the run log. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), `${statSync(full).mtimeMs}:${readFileSync(full, 'base64')}`);
    }
  };
  walk(dir);
  files.delete(path.join('logs', 'tasks.jsonl'));
  return files;
}

describe('--dry-run', () => {
  it('changes no file under home or workspace except logs/tasks.jsonl', async () => {
    const { home, workspace } = makeHome();
    writeFile(home, 'tasks/writer.mjs', WRITER);
    writeFile(workspace, 'store.json', '[{"n":0}]\n');
    writeFile(workspace, 'diary.md', '# diary\n');
    writeFile(home, 'alerts/pending.json', '[]\n');
    const args = ['--home', home, '--workspace', workspace];
    const before = snapshot(home);
    const dry = await runCli(['writer', '--dry-run', '--json', ...args]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, success: true, entries: 2 });
    expect(snapshot(home)).toEqual(before);
    // The same task for real does write, so the comparison above can fail.
    const real = await runCli(['writer', ...args]);
    expect(real.code).toBe(0);
    const after = snapshot(home);
    expect(after.get(path.join('workspace', 'store.json'))).not.toEqual(before.get(path.join('workspace', 'store.json')));
    expect(readFileSync(path.join(workspace, 'store.json.bak'), 'utf8')).toBe('[{"n":0}]\n');
    expect(readFileSync(path.join(workspace, 'diary.md'), 'utf8')).toBe('# diary\nentry\n');
    expect(JSON.parse(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8'))).toHaveLength(1);
  });
});

describe('SIGKILL during an alert write', () => {
  it('never leaves pending.json truncated', async () => {
    const h = alertHome();
    for (let round = 0; round < 5; round++) {
      const children = Array.from({ length: 8 }, (_, i) => startCli([`alerter_${i}`, `r${round}-${i}`, ...h.args]));
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 40));
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map((child) => collect(child)));
      const text = (() => {
        try {
          return readFileSync(h.file, 'utf8');
        } catch {
          return '[]';
        }
      })();
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });
});

/** `count` alerts as a heartbeat would find them, written straight into pending.json. */
function pendingAlerts(file: string, count: number): string {
  const alerts = Array.from({ length: count }, (_, i) => ({ id: `a${i}`, task: 'disk', timestamp: '2026-02-03T17:35:00Z', level: 'warning', message: `alert number ${i} `.repeat(4) }));
  const text = `${JSON.stringify(alerts, null, 2)}\n`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return text;
}

describe('alerts --drain', () => {
  it('to a full disk removes nothing and fails with a clear message', async () => {
    const h = alertHome();
    const before = pendingAlerts(h.file, 3);
    const { code, stderr } = await runCliWithStdoutTo('/dev/full', ['alerts', '--drain', '--json', ...h.args]);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: could not write the alerts to standard output (ENOSPC); none of the 3 alert(s) was removed from ${h.file}\n`);
    expect(readFileSync(h.file, 'utf8')).toBe(before);
  });

  it('to a pipe closed after 50 bytes removes nothing and fails with a clear message', async () => {
    const h = alertHome();
    // More than a pipe holds, so the drain is still writing when the reader goes.
    const before = pendingAlerts(h.file, 2000);
    const child = startCli(['alerts', '--drain', '--json', ...h.args]);
    let received = 0;
    child.stdout!.on('data', (chunk: string) => {
      received += chunk.length;
      if (received >= 50) child.stdout!.destroy();
    });
    const result = await collect(child);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: could not write the alerts to standard output \(EPIPE\); none of the 2000 alert\(s\) was removed from .*pending\.json\n$/);
    expect(readFileSync(h.file, 'utf8')).toBe(before);
  });

  it('with nothing pending prints [] and touches nothing: no file made, an empty one left as it is', async () => {
    const h = alertHome();
    const empty = await runCli(['alerts', '--drain', '--json', ...h.args]);
    expect([empty.code, empty.stdout]).toEqual([0, '[]\n']);
    expect(existsSync(path.dirname(h.file))).toBe(false);
    writeFile(h.home, 'alerts/pending.json', '[]\n');
    const before = statSync(h.file);
    const again = await runCli(['alerts', '--drain', ...h.args]);
    expect([again.code, again.stdout]).toEqual([0, 'no pending alerts\n']);
    const after = statSync(h.file);
    expect([after.mtimeMs, after.ino]).toEqual([before.mtimeMs, before.ino]);
    expect(readdirSync(path.dirname(h.file))).toEqual(['pending.json']);
  });

  it('prints and removes what it printed, keeping the file for the next alert', async () => {
    const h = alertHome();
    pendingAlerts(h.file, 2);
    const drained = await runCli(['alerts', '--drain', '--json', ...h.args]);
    expect((JSON.parse(drained.stdout) as { id: string }[]).map((alert) => alert.id)).toEqual(['a0', 'a1']);
    expect(readFileSync(h.file, 'utf8')).toBe('[]\n');
  });
});

describe('alerts ack', () => {
  it('tells identical old-format alerts apart: acking one removes one', async () => {
    const h = alertHome();
    const legacy = { task: 'system_health', timestamp: '2026-02-03T17:35:00', level: 'critical', message: 'disk 95% full' };
    writeFile(h.home, 'alerts/pending.json', JSON.stringify([legacy, legacy]));
    const listed = JSON.parse((await runCli(['alerts', '--json', ...h.args])).stdout) as { id: string }[];
    const again = JSON.parse((await runCli(['alerts', '--json', ...h.args])).stdout) as { id: string }[];
    expect(new Set(listed.map((alert) => alert.id)).size).toBe(2);
    expect(again).toEqual(listed);
    const ack = await runCli(['alerts', 'ack', listed[1]!.id, ...h.args]);
    expect([ack.code, ack.stdout]).toEqual([0, 'acknowledged 1 alert(s)\n']);
    expect(JSON.parse(readFileSync(h.file, 'utf8'))).toEqual([{ id: listed[0]!.id, ...legacy }]);
  });

  it('acknowledges the known ids, names the unknown ones on stderr without a count of none, and exits 1', async () => {
    const h = alertHome();
    const alert = (id: string) => ({ id, task: 'system_health', timestamp: '2026-02-03T17:35:00.000+01:00', level: 'error', message: `problem ${id}` });
    writeFile(h.home, 'alerts/pending.json', JSON.stringify([alert('aaaa1111'), alert('bbbb2222')]));
    const unknown = await runCli(['alerts', 'ack', 'nope', ...h.args]);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toBe('error: no pending alert with id nope: already acknowledged or drained, or mistyped; `runner alerts` lists the pending ones\n');
    const mixed = await runCli(['alerts', 'ack', 'aaaa1111', 'nope', 'gone', ...h.args]);
    expect(mixed).toMatchObject({ code: 1, stdout: 'acknowledged 1 alert(s)\n' });
    expect(mixed.stderr).toBe('error: no pending alerts with ids nope, gone (the other 1 was acknowledged): already acknowledged or drained, or mistyped; `runner alerts` lists the pending ones\n');
    expect((JSON.parse(readFileSync(h.file, 'utf8')) as { id: string }[]).map((left) => left.id)).toEqual(['bbbb2222']);
    const json = await runCli(['alerts', 'ack', 'bbbb2222', 'nope', '--json', ...h.args]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ acknowledged: ['bbbb2222'], missing: ['nope'] });
  });

  it('of an unknown id on an empty inbox creates nothing', async () => {
    const h = alertHome();
    const ack = await runCli(['alerts', 'ack', 'nope', ...h.args]);
    expect(ack.code).toBe(1);
    expect(existsSync(path.dirname(h.file))).toBe(false);
  });
});
