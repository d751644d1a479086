import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Expand a leading `~` and `$HOME`/`${HOME}` and make the path absolute, so cron's working
 * directory and the shell that did (or did not) expand `~` never matter.
 */
export function expandHome(p: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME ?? homedir();
  const expanded = p.replace(/^~(?=$|[/\\])/, home).replace(/\$\{HOME\}|\$HOME\b/g, home);
  return path.resolve(expanded);
}
