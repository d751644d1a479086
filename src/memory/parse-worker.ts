/**
 * Parse Markdown off the main thread. The CommonMark parser is synchronous and, on hostile input,
 * slow (deep nesting costs about n³); while it runs on the main thread no signal handler, timer
 * or abort can run, so SIGTERM and the task timeout would wait for it. In a worker thread the
 * parse can be ended at once: `worker.terminate()` when the task's signal fires.
 *
 * The worker only turns text into a syntax tree and posts the tree back (structured clone);
 * reading memory items from the tree stays in markdown.ts, on the main thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Root } from 'mdast';
import { RunnerError } from '../shared/errors.js';

// The worker is a script given as text (`eval`), not a file: the build bundles src/ into chunks
// with generated names, so there is no stable worker file to point at. The script imports the
// parser package itself, by the absolute URL resolved below, then parses each text in turn: it
// posts `{ parsing: index }` as it starts one and a result when done; a parser error (a stack
// overflow too) is caught and posted for its text alone.
const WORKER_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.parserUrl).then(({ fromMarkdown }) => {
  for (const [index, text] of workerData.texts.entries()) {
    parentPort.postMessage({ parsing: index });
    let result;
    try {
      result = { tree: fromMarkdown(text) };
    } catch (error) {
      result = { error: String(error && error.message || error) };
    }
    parentPort.postMessage(result);
  }
});
`;

type WorkerMessage = { parsing: number } | { tree: Root } | { error: string };

let parserUrl: string | undefined;

// Resolved from this module, so it finds the copy of the package installed with taskrunner.
function resolveParserUrl(): string {
  parserUrl ??= pathToFileURL(createRequire(import.meta.url).resolve('mdast-util-from-markdown')).href;
  return parserUrl;
}

/** A text to parse, and the file it came from (for errors). */
export interface MarkdownSource {
  file: string;
  text: string;
}

export interface ParseOptions {
  /** Ends the parse: the worker is terminated and the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called as the worker starts parsing a file (the parse of a hostile file is the slow part). */
  onParsing?: ((file: string) => void) | undefined;
}

/**
 * The CommonMark syntax tree of each source, in order, parsed in one worker; a `memory.unparseable`
 * error naming the file in place of a tree the parser failed on.
 */
export function parseMarkdownInWorker(sources: readonly MarkdownSource[], options: ParseOptions = {}): Promise<Array<Root | RunnerError>> {
  const { signal, onParsing } = options;
  signal?.throwIfAborted();
  if (sources.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const texts = sources.map((source) => source.text);
    const worker = new Worker(WORKER_SCRIPT, { eval: true, workerData: { parserUrl: resolveParserUrl(), texts } });
    const results: Array<Root | RunnerError> = [];
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      finish();
    };
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const add = (result: Root | RunnerError) => {
      results.push(result);
      if (results.length === sources.length) settle(() => resolve(results));
    };
    const file = () => sources[results.length]!.file;
    worker.on('message', (message: WorkerMessage) => {
      if ('parsing' in message) onParsing?.(sources[message.parsing]!.file);
      else add('tree' in message ? message.tree : unparseable(file(), message.error));
    });
    // A tree this thread cannot take in: copying it recurses once per level, and thousands of
    // nested emphasis delimiters (`*****…`) make thousands of levels.
    worker.on('messageerror', (error) => add(unparseable(file(), `its syntax tree is nested too deeply to be read (${error.message})`)));
    // The worker itself failed (it could not load the parser, or ran out of memory): every text
    // not parsed yet is reported, naming its file.
    const failRest = (why: string) =>
      settle(() => resolve([...results, ...sources.slice(results.length).map((source) => unparseable(source.file, why))]));
    worker.on('error', (error) => failRest(error.message));
    worker.once('exit', (code) => failRest(`the parser stopped (exit code ${code})`));
  });
}

/** The refusal of a note the parser (or the rules walking its tree) failed on, naming the file. */
export function unparseable(file: string, why: string): RunnerError {
  return new RunnerError('memory.unparseable', `${file} could not be parsed as Markdown: ${why}; not captured`, { file, retryable: false });
}
