/**
 * The layer rule of src/ (docs/architecture.md): every import points down this list, never up and
 * never in a circle, type-only imports included. `npm run lint:layers` checks it; `npm test` runs that.
 *
 * Lowest first. A module may import modules of its own layer and of the layers before it.
 */

/** [name, path regex] of each layer, lowest first. */
const LAYERS = [
  // Errors, task names, time, durations, hashes, small helpers: nothing of src/ below them.
  ['shared', '^src/shared/'],
  // Files on disk: the reader, the atomic writer, the lock, the JSON files, the run log, the alert
  // inbox, the store ports (AlertInbox, RunHistory); the trusted-file check.
  ['store', '^src/(store|security)/'],
  // Settings: the config file and its schema, home and workspace, OpenClaw's settings, the queue's.
  ['config', '^src/config/'],
  // The task model, its context and the run engine.
  ['core', '^src/core/'],
  // Finding and loading task files.
  ['loader', '^src/loader/'],
  // Features, in this order among themselves.
  ['history', '^src/history/'],
  ['memory', '^src/memory/'],
  ['batch', '^src/batch/'],
  ['cron', '^src/cron/'],
  ['openclaw', '^src/openclaw/'],
  ['health', '^src/health/'],
  ['heartbeat', '^src/heartbeat/'],
  // The queue server's implementations of the store ports, and BullMQ.
  ['distributed', '^src/distributed/'],
  // The built-in tasks and their registry.
  ['tasks', '^src/tasks/'],
  // Apps: the one composition step of stores, then the dashboard, the CLI, and the entries.
  ['compose', '^src/compose/'],
  ['dashboard', '^src/dashboard/'],
  ['cli', '^src/cli/(?!launcher\\.ts$)'],
  ['entries', '^src/(index|bundle)\\.ts$|^src/cli/launcher\\.ts$'],
];

const anyOf = (patterns) => patterns.map((pattern) => `(${pattern})`).join('|');

const upward = LAYERS.slice(0, -1).map(([name, pattern], index) => ({
  name: `layer-${name}`,
  comment: `${name} imports only its own layer and the ones below it (${LAYERS.slice(0, index + 1).map(([below]) => below).join(', ')})`,
  severity: 'error',
  from: { path: pattern },
  to: { path: anyOf(LAYERS.slice(index + 1).map(([, above]) => above)) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no module reaches itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'in-a-layer',
      comment: 'every module of src/ belongs to a layer of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf(LAYERS.map(([, pattern]) => pattern)) },
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/dashboard/assets/' },
    // Type-only imports count: a type imported up a layer ties the layers as much as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};

// For test/layers.test.ts (every module of src/ in one layer); not enumerable, so the config
// itself stays what dependency-cruiser validates.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
