import { Command } from 'commander';
import { loadSettings, type Settings } from '../config/config.js';
import { addGlobalOptions, type GlobalOptions } from '../core/task-args.js';
import type { DiscoverOptions } from '../loader/discover.js';
import { createStderrLogger } from '../core/logger.js';
import type { Logger } from 'pino';

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
