import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packagePaths } from '../loader/package-paths.js';

/** The version in taskrunner's own package.json, for `runner --version`. */
export function packageVersion(): string {
  const file = path.join(packagePaths().root, 'package.json');
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
