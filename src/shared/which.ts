import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `command` would be found, as `execFile` finds it: itself when it names a path, else the
 * first executable file of that name in a PATH folder. Undefined when there is none.
 */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = command.includes('/')
    ? [path.resolve(command)]
    : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
