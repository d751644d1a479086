import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TASKS } from '../../src/tasks/_registry.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('BUILTIN_TASKS', () => {
  it('has exactly the task files of src/tasks/', () => {
    const files = readdirSync(path.join(REPO_ROOT, 'src', 'tasks')).filter((file) => file.endsWith('.ts') && !file.startsWith('_'));
    expect(Object.keys(BUILTIN_TASKS).sort()).toEqual(files.map((file) => path.basename(file, '.ts')).sort());
  });
});
