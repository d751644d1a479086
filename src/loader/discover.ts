import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeHomeSource, type HomeSource } from '../config/home.js';
import { RunnerError } from '../shared/errors.js';
import { loadBuiltinTask } from '../core/builtin-task-modules.js';
import { importModule } from './import-module.js';
import { loadTaskModule } from './load-module.js';
import { packagePaths } from './package-paths.js';
import { didYouMean } from '../shared/suggest.js';
import { isTaskClass, kindOfValue, taskDescription, type Task } from '../core/task.js';
import { assertTaskName, taskNameProblem } from '../shared/task-name.js';

/** A task found by discovery. */
export interface DiscoveredTask {
  name: string;
  description: string;
  /** The file that defines it (absolute). */
  file: string;
  /** True for tasks that ship with taskrunner, false for the home's `tasks/`. */
  builtin: boolean;
  task: Task;
}

/** A task file that could not be loaded, and why. */
export interface BrokenTaskFile {
  file: string;
  reason: string;
}

/** Every task that could be loaded, by name, and the files that could not. */
export interface TaskRegistry {
  tasks: Map<string, DiscoveredTask>;
  broken: BrokenTaskFile[];
}

/** Options of {@link discoverTasks} and {@link findTask}. */
export interface DiscoverOptions {
  /** The runner home; user tasks are under `<home>/tasks/`. */
  home: string;
  /** Include the built-in tasks (default true). */
  builtins?: boolean;
  /** Which rule chose `home` (`Settings.homeSource`): an unknown task's error says so. */
  homeSource?: HomeSource;
  /**
   * Other words the name may have been meant as, suggested with the task names when it is unknown
   * (the CLI's commands, for `runner <word>`); the error then speaks of an unknown command or task.
   */
  commands?: readonly string[];
}

/** Extensions of task files, in the order a task's own file is looked for. */
const TASK_FILE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/**
 * Glob for user task files. Declaration files, `node_modules` and anything whose name starts with
 * `_` (a conventional place for helpers) are not task files.
 */
const USER_TASK_GLOB = '**/*.{ts,mts,js,mjs}';
const USER_TASK_IGNORE = ['**/node_modules/**', '**/*.d.ts', '**/*.d.mts', '**/_*/**', '**/_*'];

/** What loading one task file gave. */
type FileOutcome =
  | { file: string; builtin: boolean; tasks: DiscoveredTask[]; imports: string[] }
  | { file: string; builtin: boolean; error: string };

/**
 * Find every task: the built-in ones and those under `<home>/tasks/` (`.ts`, `.mts`, `.js`,
 * `.mjs`, in subfolders too). A file that cannot be loaded (syntax error, throws, unsafe owner or
 * mode, exports no task) is listed in `broken` with the reason and hides nothing else; a file that
 * exports no task but is imported by another task file is a helper, not broken.
 *
 * @throws RunnerError `runner.duplicateTask` when two tasks share a name, naming both files.
 */
export async function discoverTasks(options: DiscoverOptions): Promise<TaskRegistry> {
  const builtinFiles = options.builtins === false ? [] : listBuiltinFiles();
  const userFiles = await listUserTaskFiles(options.home);
  const outcomes = await Promise.all([
    ...builtinFiles.map((file) => loadTaskFile(file, true, options)),
    ...userFiles.map((file) => loadTaskFile(file, false, options)),
  ]);
  return buildRegistry(outcomes);
}

/**
 * Find one task cheaply: only `<home>/tasks/<name>.{ts,mts,js,mjs}` and the built-in file of that
 * name are loaded, so the cost does not grow with the number of task files. When no file of that
 * name defines the task, everything is discovered.
 *
 * @throws RunnerError `runner.invalidTaskName` (before touching the file system),
 *   `runner.duplicateTask`, `runner.taskLoad` / `runner.unsafeFile` for the task's own file, and
 *   `runner.unknownTask` with a "did you mean" suggestion.
 */
export async function findTask(name: string, options: DiscoverOptions): Promise<DiscoveredTask> {
  assertTaskName(name);
  const own = await findInOwnFiles(name, options);
  if (own) return own;

  const registry = await discoverTasks(options);
  const found = registry.tasks.get(name);
  if (found) return found;
  throw unknownTaskError(name, registry, options);
}

/** What {@link findTasks} found for one name. */
export type TaskLookup =
  | { found: DiscoveredTask }
  /** Its own file (or the discovery of all) failed to load: the reason. */
  | { error: string }
  /** No task has that name (or it is not a valid task name). */
  | { missing: true };

/**
 * {@link findTask} for several names at once (the tasks `runner status` finds in the log): each
 * name's own files, then, for the names they do not define, one discovery of everything. A failure
 * is that name's answer, never a rejection, so one broken task file does not hide the others.
 */
export async function findTasks(names: Iterable<string>, options: DiscoverOptions): Promise<Map<string, TaskLookup>> {
  const lookups = new Map<string, TaskLookup>();
  const unresolved: string[] = [];
  await Promise.all(
    [...new Set(names)].map(async (name) => {
      if (taskNameProblem(name)) {
        lookups.set(name, { missing: true });
        return;
      }
      try {
        const own = await findInOwnFiles(name, options);
        if (own) lookups.set(name, { found: own });
        else unresolved.push(name);
      } catch (error) {
        lookups.set(name, { error: messageOf(error) });
      }
    }),
  );
  if (unresolved.length > 0) {
    let registry: TaskRegistry | undefined;
    let failure: string | undefined;
    try {
      registry = await discoverTasks(options);
    } catch (error) {
      failure = messageOf(error);
    }
    for (const name of unresolved) {
      const found = registry?.tasks.get(name);
      lookups.set(name, found ? { found } : failure !== undefined ? { error: failure } : { missing: true });
    }
  }
  return lookups;
}

/**
 * The task `name` as its own files define it (`tasks/<name>.{ts,mts,js,mjs}`, the built-in of that
 * name), or undefined. A file that fails to load throws; so do two definitions.
 */
async function findInOwnFiles(name: string, options: DiscoverOptions): Promise<DiscoveredTask | undefined> {
  const outcomes = await Promise.all(candidateFiles(name, options).map(({ file, builtin }) => loadTaskFile(file, builtin, options, true)));
  const matches = outcomes.flatMap((outcome) => ('tasks' in outcome ? outcome.tasks : [])).filter((task) => task.name === name);
  if (matches.length > 1) throw duplicateError(matches[0]!, matches[1]!);
  return matches[0];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Refuse a task name outside `[a-z0-9_-]+`, naming it. */
function candidateFiles(name: string, options: DiscoverOptions): { file: string; builtin: boolean }[] {
  const candidates: { file: string; builtin: boolean }[] = [];
  if (options.builtins !== false) {
    const { builtinDir, builtinExt } = packagePaths();
    const file = path.join(builtinDir, `${name}${builtinExt}`);
    if (isFile(file)) candidates.push({ file, builtin: true });
  }
  for (const ext of TASK_FILE_EXTENSIONS) {
    const file = path.join(options.home, 'tasks', `${name}${ext}`);
    if (isFile(file)) candidates.push({ file, builtin: false });
  }
  return candidates;
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function listBuiltinFiles(): string[] {
  const { builtinDir, builtinExt } = packagePaths();
  if (!existsSync(builtinDir)) return [];
  return readdirSync(builtinDir)
    .filter((entry) => entry.endsWith(builtinExt) && !entry.endsWith('.d.ts') && !entry.startsWith('_'))
    .sort()
    .map((entry) => path.join(builtinDir, entry));
}

async function listUserTaskFiles(home: string): Promise<string[]> {
  const tasksDir = path.join(home, 'tasks');
  if (!existsSync(tasksDir)) return [];
  // Loaded here rather than at start-up: running one task never globs.
  const { default: fg } = await import('fast-glob');
  const files = await fg(USER_TASK_GLOB, { cwd: tasksDir, absolute: true, onlyFiles: true, ignore: USER_TASK_IGNORE });
  return files.map((file) => path.normalize(file)).sort();
}

/**
 * Load one file and instantiate the tasks it exports. With `strict`, a failure is thrown (the
 * task's own file in {@link findTask}); otherwise it becomes the outcome's `error`.
 */
async function loadTaskFile(file: string, builtin: boolean, options: DiscoverOptions, strict = false): Promise<FileOutcome> {
  try {
    const loaded = builtin ? { exports: await importBuiltin(file), files: [file] } : await loadTaskModule(file, { home: options.home });
    return { file, builtin, tasks: tasksOf(loaded.exports, file, builtin), imports: loaded.files.filter((each) => each !== file) };
  } catch (error) {
    if (strict) throw error;
    return { file, builtin, error: error instanceof Error ? error.message : String(error) };
  }
}

async function importBuiltin(file: string): Promise<Record<string, unknown>> {
  try {
    // The runtime's own copy when it has the task (always, once built); the file otherwise.
    const { builtinExt } = packagePaths();
    return await (loadBuiltinTask(path.basename(file, builtinExt)) ?? importModule(pathToFileURL(file).href));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RunnerError('runner.taskLoad', `cannot load built-in task file ${file}: ${message}`, { file, cause: error });
  }
}

/**
 * The tasks a module exports: each exported Task subclass (recognised by its brand) that has a
 * name once instantiated. Unnamed ones are base classes, not tasks. A name that is not a valid task
 * name, or a description that is not a string, makes the file broken, named in the error; a missing
 * description is an empty one ({@link taskDescription}).
 */
function tasksOf(exports: Record<string, unknown>, file: string, builtin: boolean): DiscoveredTask[] {
  const classes = new Set(Object.values(exports).filter(isTaskClass));
  const tasks: DiscoveredTask[] = [];
  for (const TaskClass of classes) {
    let task: Task;
    try {
      task = new TaskClass();
    } catch (error) {
      throw new RunnerError('runner.taskLoad', `cannot create task ${TaskClass.name} of ${file}: ${(error as Error).message}`, { file, cause: error });
    }
    const name: unknown = task.name;
    if (name === undefined) continue;
    if (typeof name !== 'string') {
      throw new RunnerError('runner.taskLoad', `task ${TaskClass.name} of ${file}: name must be a string, got ${kindOfValue(name)}`, { file });
    }
    const problem = taskNameProblem(name);
    if (problem) throw new RunnerError('runner.taskLoad', `task ${TaskClass.name} of ${file} has an invalid name ${JSON.stringify(name)}: ${problem}`, { file });
    tasks.push({ name, description: taskDescription(task, file), file, builtin, task });
  }
  if (tasks.length === 0) {
    throw new RunnerError('runner.taskLoad', `${file} exports no task (a class extending Task, with a name)`, { file });
  }
  return tasks;
}

function buildRegistry(outcomes: FileOutcome[]): TaskRegistry {
  const helpers = new Set(outcomes.flatMap((outcome) => ('imports' in outcome ? outcome.imports : [])));
  const tasks = new Map<string, DiscoveredTask>();
  const broken: BrokenTaskFile[] = [];
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      if (!helpers.has(outcome.file)) broken.push({ file: outcome.file, reason: outcome.error });
      continue;
    }
    for (const task of outcome.tasks) {
      const existing = tasks.get(task.name);
      if (existing) throw duplicateError(existing, task);
      tasks.set(task.name, task);
    }
  }
  return { tasks: new Map([...tasks].sort(([a], [b]) => a.localeCompare(b))), broken };
}

function duplicateError(first: DiscoveredTask, second: DiscoveredTask): RunnerError {
  const where = first.file === second.file ? `twice in ${first.file}` : `in both ${first.file} and ${second.file}`;
  return new RunnerError('runner.duplicateTask', `task "${first.name}" is defined ${where}; task names must be unique`, {
    file: second.file,
  });
}

function unknownTaskError(name: string, registry: TaskRegistry, options: DiscoverOptions): RunnerError {
  const what = options.commands === undefined ? 'task' : 'command or task';
  const brokenNote =
    registry.broken.length > 0
      ? ` (${registry.broken.length} task file${registry.broken.length === 1 ? '' : 's'} could not be loaded; see "runner list")`
      : '';
  const suggestion = didYouMean(name, [...registry.tasks.keys(), ...(options.commands ?? [])]);
  return new RunnerError('runner.unknownTask', `unknown ${what} "${name}".${suggestion}${brokenNote} ${whereTasksWereLooked(options)}`, {
    exitCode: 1,
  });
}

/** `Looked in <home>/tasks/ and the built-in tasks; the home … is …`: a task run in the wrong folder says so. */
function whereTasksWereLooked({ home, homeSource, builtins }: DiscoverOptions): string {
  const tasksDir = `${path.join(home, 'tasks')}${path.sep}`;
  const exists = existsSync(tasksDir);
  const folder = exists ? tasksDir : `${tasksDir}, which does not exist`;
  const places = builtins === false ? folder : `${folder}${exists ? '' : ','} and the built-in tasks`;
  if (!existsSync(home)) return `Looked in ${places}; the home ${home}${homeSource === undefined ? '' : ` (${describeHomeSource(homeSource)})`} does not exist.`;
  return `Looked in ${places}; the home is ${home}${homeSource === undefined ? '' : `, ${describeHomeSource(homeSource)}`}.`;
}
