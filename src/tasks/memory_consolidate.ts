import { Task, type TaskContext, type TaskResult } from '../core/task.js';
import { consolidateMemory } from '../memory/consolidate.js';

/** More removed entries than this in one run leave an info alert for the heartbeat. */
const ALERT_ABOVE = 50;

/**
 * `runner memory_consolidate`: prune old unimportant entries and near duplicates from
 * `memory/store.json` (SPEC §5), with a `.bak` backup and an atomic replace.
 */
export default class MemoryConsolidateTask extends Task {
  name = 'memory_consolidate';
  description = 'Prune old low-importance entries and near duplicates from memory/store.json';
  // Weekly, on Sunday night, when the agent is least likely to be writing to the store.
  override defaults = { schedule: '30 3 * * 0' };

  async run(ctx: TaskContext): Promise<TaskResult> {
    const { store_found: found, ...summary } = await consolidateMemory({
      workspace: ctx.paths.workspace,
      now: Date.now(),
      timeZone: ctx.config.timezone,
      config: ctx.config.memory,
      dryRun: ctx.dryRun,
      signal: ctx.signal,
    });
    const verb = ctx.dryRun ? 'would remove' : 'removed';
    const message = !found
      ? 'no memory store (memory/store.json) yet: nothing to consolidate'
      : `${verb} ${summary.pruned_count} of ${summary.original_count} entries ` +
        `(${summary.pruned_by_age} by age, ${summary.pruned_by_duplication} duplicates); ${summary.remaining_count} remain`;
    if (summary.pruned_count > ALERT_ABOVE) await ctx.alert(`memory_consolidate: ${message}`, 'info');
    ctx.log.info(summary, 'memory consolidation finished');
    return { success: true, message, ...summary };
  }
}
