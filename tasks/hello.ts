import { Task, type TaskContext } from 'taskrunner';

/** An example user task: `npx runner hello [name]`. */
export default class HelloTask extends Task {
  name = 'hello';
  description = 'Says hello (an example task)';
  override arguments = [{ name: 'name', description: 'who to greet' }];

  async run(ctx: TaskContext) {
    const who = ctx.args[0] ?? 'world';
    ctx.log.info({ who }, 'saying hello');
    return { success: true, message: `hello, ${who}` };
  }
}
