#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAlertsCommand } from './alerts.js';
import { registerBatchCommands } from './batch.js';
import { registerDoctorCommand } from './doctor.js';
import { registerCronCommand } from './cron.js';
import { addGlobalOptions, globalOptionsOf } from './global-options.js';
import { registerHeartbeatCommand } from './heartbeat.js';
import { registerHelpCommand } from './help.js';
import { registerListCommand } from './list.js';
import { registerLogsCommand } from './logs.js';
import { exitCodeOf, printError } from './output.js';
import { registerRunCommand, runTaskCommand } from './run.js';
import { registerStatusCommand } from './status.js';
import { registerTestAllCommand } from './test-all.js';
import { packageVersion } from './version.js';

/** Build the `runner` program; every command lives in its own file and registers itself here. */
export function buildProgram(): Command {
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
      await runTaskCommand(taskName, args, globalOptionsOf(command));
    });
  registerRunCommand(program);
  registerListCommand(program);
  registerHelpCommand(program);
  registerTestAllCommand(program);
  registerAlertsCommand(program);
  registerHeartbeatCommand(program);
  registerBatchCommands(program);
  registerDoctorCommand(program);
  registerStatusCommand(program);
  registerLogsCommand(program);
  registerCronCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
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

await main();
