import { readCrontab, writeCrontab } from './crontab-command.js';
import { withBlock, type BlockBuilder } from './crontab-entry.js';

/** What an install or removal did to the crontab. */
export type CrontabChange = 'added' | 'replaced' | 'unchanged' | 'removed' | 'absent';

/**
 * Put the block of `name` into the user's crontab, replacing an earlier one of the same name (so a
 * second install changes nothing), or remove it when `blockFor` is undefined. Lines outside
 * taskrunner's markers are kept. The table is written only when it changes.
 */
export async function updateCrontab(name: string, blockFor: BlockBuilder | undefined, env?: NodeJS.ProcessEnv): Promise<CrontabChange> {
  const before = await readCrontab(env);
  const { table, found } = withBlock(before, name, blockFor);
  const change: CrontabChange = blockFor ? (found ? (table === before ? 'unchanged' : 'replaced') : 'added') : found ? 'removed' : 'absent';
  if (table !== before) await writeCrontab(table, env);
  return change;
}
