import { describe, expectTypeOf, it } from 'vitest';
import { runTask, type RunTaskOptions } from '../../src/index.js';
import { Task, type TaskContext, type TaskOptionValues, type TaskResult } from '../../src/core/task.js';

/**
 * `Task<Options>`: the options type a task names flows to `ctx.options` in its `run()`, read-only;
 * a wrong type for an option, an unknown option, or a write is a compile error. Checked by
 * `tsc` (`npm run typecheck`) and by vitest's typecheck.
 */

interface HealthOptions {
  minFree: string;
  force?: boolean;
  paths?: string[];
}

class Health extends Task<HealthOptions> {
  name = 'health';
  description = 'checks disks';
  async run(ctx: TaskContext<HealthOptions>): Promise<TaskResult> {
    expectTypeOf(ctx.options).toEqualTypeOf<Readonly<HealthOptions>>();
    expectTypeOf(ctx.options.minFree).toEqualTypeOf<string>();
    expectTypeOf(ctx.options.force).toEqualTypeOf<boolean | undefined>();
    expectTypeOf(ctx.options.paths).toEqualTypeOf<string[] | undefined>();
    // @ts-expect-error -- an option the task does not declare
    void ctx.options.maxFree;
    // @ts-expect-error -- options are read-only
    ctx.options.minFree = '10%';
    // @ts-expect-error -- minFree is a string, not a number
    const percent: number = ctx.options.minFree;
    void percent;
    return { success: true };
  }
}

describe('Task<Options>', () => {
  it('gives run() a context of its own options', () => {
    expectTypeOf<Parameters<Task<HealthOptions>['run']>[0]>().toEqualTypeOf<TaskContext<HealthOptions>>();
    expectTypeOf<Parameters<Health['run']>[0]>().toEqualTypeOf<TaskContext<HealthOptions>>();
    expectTypeOf<Parameters<Health['run']>[0]['options']>().toEqualTypeOf<Readonly<HealthOptions>>();
  });

  it('refuses a run() whose context has other options', () => {
    class Wrong extends Task<HealthOptions> {
      name = 'wrong';
      description = 'expects a number';
      // @ts-expect-error -- run() must take the task's own TaskContext<HealthOptions>
      async run(ctx: TaskContext<{ minFree: number }>): Promise<TaskResult> {
        return { success: ctx.options.minFree > 0 };
      }
    }
    void Wrong;
  });

  it('leaves a task without Options with the generic option values', () => {
    class Plain extends Task {
      name = 'plain';
      description = 'no options type';
      async run(ctx: TaskContext): Promise<TaskResult> {
        expectTypeOf(ctx.options).toEqualTypeOf<Readonly<TaskOptionValues>>();
        expectTypeOf(ctx.options.anything).toEqualTypeOf<string | boolean | string[] | undefined>();
        return { success: true };
      }
    }
    void Plain;
  });

  it('only takes an object type as Options', () => {
    // @ts-expect-error -- Options must be an object type
    type NotAnObject = Task<string>;
    expectTypeOf<NotAnObject>().not.toBeAny();
  });

  it('runs through runTask with option values of the generic shape', () => {
    expectTypeOf<RunTaskOptions['options']>().toEqualTypeOf<TaskOptionValues | undefined>();
    expectTypeOf(runTask).parameter(0).toEqualTypeOf<Task | string>();
    // A task of its own options type is a Task to discover and run.
    expectTypeOf<Health>().toExtend<Task>();
  });
});
