import { describe, expect, it } from 'vitest';
import { GroupedWrites } from '../../src/distributed/grouped-writes.js';

describe('GroupedWrites', () => {
  it('sends a lone write at once, and the writes that come while one is under way as the next batch', async () => {
    const batches: number[][] = [];
    let finish: (() => void) | undefined;
    const writes = new GroupedWrites<number>(
      (items) =>
        new Promise<void>((resolve) => {
          batches.push(items);
          finish = resolve;
        }),
    );
    const first = writes.add(1);
    expect(batches).toEqual([[1]]);
    const later = [writes.add(2), writes.add(3), writes.add(4)];
    expect(batches).toEqual([[1]]);
    finish!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2, 3, 4]]);
    finish!();
    await Promise.all(later);
  });

  it("rejects the writes of a failed batch with its error, and goes on with the next one", async () => {
    let calls = 0;
    const writes = new GroupedWrites<string>(async (items) => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.includes('bad')) throw new Error('server said no');
    });
    const first = writes.add('ok');
    const failing = [writes.add('bad'), writes.add('also in that batch')];
    await expect(first).resolves.toBeUndefined();
    for (const write of failing) await expect(write).rejects.toThrow('server said no');
    await expect(writes.add('after')).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });
});
