import { describe, expect, it } from 'vitest';
import { newRunId } from '../../src/core/run-id.js';

describe('newRunId', () => {
  it('is a version 4, variant 1 UUID', () => {
    for (let i = 0; i < 100; i++) expect(newRunId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newRunId()));
    expect(ids.size).toBe(10_000);
  });
});
