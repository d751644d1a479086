// Injected into dist/runner.cjs (see build.mjs) for `performance.now()`: monotonic milliseconds
// without loading perf_hooks. Only differences of it are used.
export const monotonic_now = () => Number(process.hrtime.bigint()) / 1e6;
