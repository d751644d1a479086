import { Command, Option } from 'commander';
import { loadSettings, type LocationOptions, type Settings } from '../config/config.js';
import type { DiscoverOptions } from '../loader/discover.js';
import { createStderrLogger } from '../core/logger.js';
import type { Logger } from 'pino';

/** The options every command accepts, before or after its name. */
export interface GlobalOptions extends LocationOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** Add the global options to a command; each command repeats them so they work anywhere on the line. */
export function addGlobalOptions(command: Command): Command {
  return command
    .addOption(new Option('--home <dir>', 'runner home (tasks/, logs/, alerts/); default $RUNNER_HOME or .'))
    .addOption(new Option('--workspace <dir>', "agent workspace; default $OPENCLAW_WORKSPACE, the config's workspace, then OpenClaw's (its config, $OPENCLAW_WORKSPACE_DIR, ~/.openclaw/workspace)"))
    .addOption(new Option('--config <file>', 'config file; default <home>/runner.config.json'))
    .addOption(new Option('--json', 'machine-readable JSON output'))
    .addOption(new Option('-q, --quiet', 'print only warnings and errors'))
    .addOption(new Option('-v, --verbose', 'print debug logs'))
    .addOption(new Option('--no-color', 'no colours in output'));
}

/** The global options as given anywhere on the command line (the nearest command wins). */
export function globalOptionsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Home, workspace and config for a command. */
export function settingsOf(options: GlobalOptions): Settings {
  return loadSettings({ home: options.home, workspace: options.workspace, config: options.config });
}

/** Where to look for a task: the home, and how it was chosen (an unknown task's error says both). */
export function taskLookupOf(settings: Settings): DiscoverOptions {
  return { home: settings.home, homeSource: settings.homeSource };
}

/** Log level from `--quiet` / `--verbose`. */
export function logLevelOf(options: GlobalOptions): 'warn' | 'info' | 'debug' {
  if (options.verbose) return 'debug';
  return options.quiet ? 'warn' : 'info';
}

/** The task log on stderr as the global options ask: `--quiet` / `--verbose`, JSON lines with `--json`. */
export function stderrLoggerOf(options: GlobalOptions): Logger {
  return createStderrLogger(logLevelOf(options), options.json ? false : undefined);
}

/**
 * Pick the global options out of a task's raw arguments, which are parsed only once the task (and so
 * its own options) is known, and the task is found through `--home`.
 */
export function scanGlobalOptions(rawArgs: readonly string[]): GlobalOptions {
  const scanner = addGlobalOptions(new Command())
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .exitOverride();
  scanner.parse(rawArgs.filter((arg) => arg !== '--help' && arg !== '-h'), { from: 'user' });
  return scanner.opts<GlobalOptions>();
}
