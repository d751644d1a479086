import { describe, expect, it } from 'vitest';
import { satisfiesNodeRange } from '../../src/openclaw/node-engines.js';

describe('satisfiesNodeRange', () => {
  it("reads OpenClaw 2026.9's engines: >=24.16.0 <25 || >=26.1.0", () => {
    const range = '>=24.16.0 <25 || >=26.1.0';
    expect(satisfiesNodeRange('v20.20.2', range)).toBe(false);
    expect(satisfiesNodeRange('v24.15.9', range)).toBe(false);
    expect(satisfiesNodeRange('v24.16.0', range)).toBe(true);
    expect(satisfiesNodeRange('v24.21.0', range)).toBe(true);
    expect(satisfiesNodeRange('v25.2.0', range)).toBe(false);
    expect(satisfiesNodeRange('v26.0.1', range)).toBe(false);
    expect(satisfiesNodeRange('v26.1.0', range)).toBe(true);
    expect(satisfiesNodeRange('27.0.0', range)).toBe(true);
  });

  it('partial versions, x-ranges, carets, tildes, hyphens and spaces after operators', () => {
    expect(satisfiesNodeRange('v24.16.3', '>=24.16')).toBe(true);
    expect(satisfiesNodeRange('v24.15.3', '>= 24.16')).toBe(false);
    expect(satisfiesNodeRange('v24.99.0', '<=24')).toBe(true);
    expect(satisfiesNodeRange('v25.0.0', '<=24')).toBe(false);
    expect(satisfiesNodeRange('v25.0.0', '>24')).toBe(true);
    expect(satisfiesNodeRange('v24.9.0', '>24')).toBe(false);
    expect(satisfiesNodeRange('v20.1.0', '20.x')).toBe(true);
    expect(satisfiesNodeRange('v21.0.0', '20')).toBe(false);
    expect(satisfiesNodeRange('v20.19.0', '^20.17.0')).toBe(true);
    expect(satisfiesNodeRange('v21.0.0', '^20.17.0')).toBe(false);
    expect(satisfiesNodeRange('v0.3.1', '^0.2.0')).toBe(false);
    expect(satisfiesNodeRange('v20.17.9', '~20.17.1')).toBe(true);
    expect(satisfiesNodeRange('v20.18.0', '~20.17.1')).toBe(false);
    expect(satisfiesNodeRange('v22.3.0', '20 - 22')).toBe(true);
    expect(satisfiesNodeRange('v23.0.0', '20 - 22')).toBe(false);
    expect(satisfiesNodeRange('v1.0.0', '*')).toBe(true);
  });

  it('cannot tell for what it does not understand', () => {
    expect(satisfiesNodeRange('v24.0.0', 'lts/*')).toBeUndefined();
    expect(satisfiesNodeRange('v24.0.0', '>=24 || latest')).toBeUndefined();
    expect(satisfiesNodeRange('not a version', '>=24')).toBeUndefined();
  });
});
