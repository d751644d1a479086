import { Command, CommanderError } from 'commander';
import { globalOptionsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { exitCodeOf, printError } from './output.js';
import { packageVersion } from './version.js';

/** Registers one command (and its subcommands) on the program. */
type Register = (program: Command) => void;

/**
 * Every command, in the order `runner --help` lists them, each in its own file. A command's module
 * is imported only when its name is on the command line (or for the full help), so a task run or
 * `runner alerts` loads none of the others' code (start-up is paid on every cron tick).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRunCommand,
  list: async () => (await import('./list.js')).registerListCommand,
  help: async () => (await import('./help.js')).registerHelpCommand,
  'test-all': async () => (await import('./test-all.js')).registerTestAllCommand,
  alerts: async () => (await import('./alerts.js')).registerAlertsCommand,
  heartbeat: async () => (await import('./heartbeat.js')).registerHeartbeatCommand,
  batch: async () => (await import('./batch.js')).registerBatchCommands,
  doctor: async () => (await import('./doctor.js')).registerDoctorCommand,
  status: async () => (await import('./status.js')).registerStatusCommand,
  logs: async () => (await import('./logs.js')).registerLogsCommand,
  cron: async () => (await import('./cron.js')).registerCronCommand,
  openclaw: async () => (await import('./openclaw.js')).registerOpenClawCommand,
  dashboard: async () => (await import('./dashboard.js')).registerDashboardCommand,
  enqueue: async () => (await import('./enqueue.js')).registerEnqueueCommand,
  worker: async () => (await import('./worker.js')).registerWorkerCommand,
  schedule: async () => (await import('./schedule.js')).registerScheduleCommand,
};

/** Global options that take a value, so that value is not mistaken for a command name. */
const VALUE_OPTIONS = new Set(['--home', '--workspace', '--config']);

/**
 * The commands a command line may need: the one it names, or all of them when it names none (a
 * bare `runner`, `runner --help`) or asks `runner help`, which lists them; none for `--version`. Any argument equal to a
 * command's name counts, so an odd line (an unknown option taking a value) never misses its command.
 */
export function commandsFor(argv: readonly string[]): string[] {
  const names = Object.keys(COMMANDS);
  const args = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined);
  const first = args.find((arg, i) => !arg.startsWith('-') && !VALUE_OPTIONS.has(args[i - 1] ?? ''));
  if (first === undefined && (args.includes('--version') || args.includes('-V'))) return [];
  if (first === undefined || first === 'help') return names;
  return names.filter((name) => args.includes(name));
}

/** Build the `runner` program with the commands `argv` (the user's arguments) may need. */
export async function buildProgram(argv: readonly string[] = process.argv.slice(2)): Promise<Command> {
  const program = addGlobalOptions(new Command('runner'))
    .description('Run maintenance tasks for a self-hosted AI agent workspace')
    .usage('<task> [args...] [--dry-run] [--json] [--retries N] [--timeout DUR]')
    .version(packageVersion(), '-V, --version', 'print the version of taskrunner')
    .enablePositionalOptions()
    .passThroughOptions()
    .allowUnknownOption()
    .helpCommand(false)
    .exitOverride()
    .argument('[task]', 'the task to run (see `runner list`)')
    .argument('[args...]', "the task's arguments and options (see `runner help <task>`)")
    .action(async (taskName: string | undefined, args: string[], _options: unknown, command: Command) => {
      if (taskName === undefined) {
        program.outputHelp();
        return;
      }
      // Loaded here: only a task run needs the run machinery.
      const { runTaskCommand } = await import('./run.js');
      // The word may be a mistyped command as much as a task: both are suggested.
      await runTaskCommand(taskName, args, globalOptionsOf(command), Object.keys(COMMANDS));
    });
  const wanted = commandsFor(argv);
  const registers = await Promise.all(wanted.map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The `runner` CLI: parse, run, set the exit code. Started by the bin (launcher.ts). */
export async function main(): Promise<void> {
  try {
    const program = await buildProgram();
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (or the help it was asked for).
      process.exitCode = error.exitCode;
    } else {
      printError(error, process.argv.includes('--verbose') || process.argv.includes('-v'));
      process.exitCode = exitCodeOf(error);
    }
  }
  // A task may leave a handle open (a socket, a timer); the run is over, so do not wait for it,
  // but let pending stdout writes drain first.
  setTimeout(() => process.exit(), 200).unref();
}
