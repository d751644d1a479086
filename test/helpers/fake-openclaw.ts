import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A stand-in `openclaw` executable for tests: a small Node.js script in a private temporary
 * folder that answers each call as told and records the arguments it got. Put its folder first on
 * PATH (`fake.env`) for the code under test, or for a CLI started with that environment.
 *
 * @example
 * ```ts
 * const fake = fakeOpenClaw([
 *   { args: ['cron', 'list'], stdout: JSON.stringify({ jobs: [], total: 0 }) },
 *   { args: ['system', 'event'], exitCode: 1, stderr: 'Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789' },
 * ]);
 * await runCli(['system_health'], { env: fake.env });
 * expect(fake.calls()).toEqual([['cron', 'list', '--json']]);
 * ```
 */

/** How the fake answers a call whose arguments start with `args`. */
export interface FakeAnswer {
  /** Leading arguments this answer is for (`['cron', 'list']`); every call when absent. */
  args?: readonly string[];
  stdout?: string;
  stderr?: string;
  /** Exit status (default 0). */
  exitCode?: number;
  /** Wait this long before answering: longer than the caller's time limit to fake a hang. */
  delayMs?: number;
}

export interface FakeOpenClaw {
  /** The folder holding the `openclaw` script. */
  dir: string;
  /** The script itself. */
  bin: string;
  /** `process.env` with the fake first on PATH and `$OPENCLAW_BIN` cleared. */
  env: NodeJS.ProcessEnv;
  /** The arguments of every call so far, in order. */
  calls(): string[][];
}

/**
 * Make a fake `openclaw` that gives each call the first answer whose `args` its arguments start
 * with, or exits 0 silently when none matches. A single answer stands for every call.
 */
export function fakeOpenClaw(answers: FakeAnswer | readonly FakeAnswer[]): FakeOpenClaw {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-openclaw-'));
  const bin = path.join(dir, 'openclaw');
  const callsFile = path.join(dir, 'calls.jsonl');
  writeFileSync(path.join(dir, 'answers.json'), JSON.stringify(Array.isArray(answers) ? answers : [answers]));
  // An absolute interpreter: the tests' PATH may hold nothing but the fake.
  writeFileSync(bin, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(bin, 0o755);
  return {
    dir,
    bin,
    env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, OPENCLAW_BIN: '' },
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[])
        : [],
  };
}

/** `process.env` with a PATH that holds no `openclaw` (an empty private folder). */
export function envWithoutOpenClaw(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: mkdtempSync(path.join(tmpdir(), 'no-openclaw-')), OPENCLAW_BIN: '' };
}

const SCRIPT = `
const { appendFileSync, readFileSync } = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
appendFileSync(path.join(__dirname, 'calls.jsonl'), JSON.stringify(args) + '\\n');
const answers = JSON.parse(readFileSync(path.join(__dirname, 'answers.json'), 'utf8'));
const answer = answers.find((a) => (a.args || []).every((arg, i) => args[i] === arg)) || {};
setTimeout(() => {
  if (answer.stdout) process.stdout.write(answer.stdout);
  if (answer.stderr) process.stderr.write(answer.stderr);
  process.exitCode = answer.exitCode || 0;
}, answer.delayMs || 0);
`;

/** An `openclaw` installed the way npm installs the real one: a package with a Node entry script. */
export interface FakeOpenClawPackage {
  /** `<dir>/node_modules/openclaw/openclaw.mjs`, a `#!/usr/bin/env node` script. */
  script: string;
  /** `<dir>/bin`, holding an `openclaw` link to the script (what a global install puts on PATH). */
  binDir: string;
}

/**
 * A package `openclaw` whose package.json says `engines.node` is `engines`, and whose entry script
 * (`#!/usr/bin/env node`, so PATH decides the Node unless the runner does) runs `body`, a module
 * body with `process` at hand.
 */
export function fakeOpenClawPackage(engines: string, body: string): FakeOpenClawPackage {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-openclaw-pkg-'));
  const packageDir = path.join(dir, 'node_modules', 'openclaw');
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ name: 'openclaw', version: '0.0.0-test', bin: { openclaw: 'openclaw.mjs' }, engines: { node: engines } }));
  const script = path.join(packageDir, 'openclaw.mjs');
  writeFileSync(script, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(script, 0o755);
  const binDir = path.join(dir, 'bin');
  mkdirSync(binDir);
  symlinkSync(path.relative(binDir, script), path.join(binDir, 'openclaw'));
  return { script, binDir };
}

/** A folder whose `node` is `target` (a link), to put first on PATH as "the machine's Node". */
export function nodeFolder(target: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-node-'));
  symlinkSync(target, path.join(dir, 'node'));
  return dir;
}

/** A `#!/bin/sh` executable `name` in a fresh folder, running `script`. */
export function shellScript(name: string, script: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'fake-exe-')), name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Write `<home>/.runner/openclaw.json`, the record `runner openclaw install` leaves (`text` verbatim when a string). */
export function writeInstallRecord(home: string, record: unknown): string {
  const file = path.join(home, '.runner', 'openclaw.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof record === 'string' ? record : JSON.stringify(record));
  return file;
}
