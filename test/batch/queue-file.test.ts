import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQueue, readQueue, updateQueue } from '../../src/batch/queue-file.js';
import { RunnerError } from '../../src/shared/errors.js';
import { makeWorkspace, oldEntry } from './old-format.js';

describe('parseQueue', () => {
  it('reads the old format and derives a stable id for entries without one', () => {
    const first = parseQueue([oldEntry(1), oldEntry(2)], 'q.json');
    const again = parseQueue([oldEntry(1), oldEntry(2)], 'q.json');
    expect(first.map((e) => e.id)).toEqual(again.map((e) => e.id));
    expect(first[0]!.id).not.toBe(first[1]!.id);
    expect(first[0]!.id).toMatch(/^[0-9a-f]{8}$/);
  });

  it('gives exact duplicates distinct ids', () => {
    const q = parseQueue([oldEntry(1), oldEntry(1)], 'q.json');
    expect(new Set(q.map((e) => e.id)).size).toBe(2);
  });

  it.each([
    [{ foo: 1 }, /expected a JSON array/],
    [[42], /entry 1: expected an object/],
    [[{ status: 'pending' }], /entry 1: "task" must be a non-empty string/],
    [[{ task: 't', status: 'done' }], /"status" must be one of/],
    [[{ task: 't', status: 'pending', priority: 'urgent' }], /"priority" must be one of high, medium, low/],
    [[{ task: 't', status: 'pending', depends_on: 'x' }], /"depends_on" must be an array/],
    [[{ task: 't', status: 'pending', max_attempts: 0 }], /"max_attempts" must be a positive integer/],
    [[{ task: 't', status: 'pending', run: 'Bad Name' }], /"run" must be a task name/],
    [[{ task: 't', status: 'pending', id: 'a' }, { task: 'u', status: 'pending', id: 'a' }], /entry 2: duplicate id "a"/],
  ])('rejects %j naming the file and entry', (value, pattern) => {
    expect(() => parseQueue(value, 'q.json')).toThrow(pattern);
    expect(() => parseQueue(value, 'q.json')).toThrow(/^q\.json/);
  });
});

describe('updateQueue', () => {
  it('keeps unknown fields and the old fields as they were, and stores derived ids', async () => {
    const old = [oldEntry(1, { custom: { nested: true } }), oldEntry(2)];
    const workspace = makeWorkspace(old);
    const file = path.join(workspace, 'batch-tasks.json');
    const derived = (await readQueue(file)).map((e) => e.id);
    await updateQueue(file, () => undefined);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
    written.forEach((entry, i) => {
      expect(entry).toEqual({ ...old[i], id: derived[i] });
    });
  });

  it('leaves a corrupt file untouched and says where it is broken', async () => {
    const workspace = makeWorkspace();
    const file = path.join(workspace, 'batch-tasks.json');
    const corrupt = '[\n  {"task": "a", "status": "pending"},\n  {"task": \n';
    writeFileSync(file, corrupt);
    const error = await updateQueue(file, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).code).toBe('store.corrupt');
    expect((error as Error).message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(corrupt);
  });
});
