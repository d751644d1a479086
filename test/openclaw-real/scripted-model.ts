/**
 * A scripted OpenAI-compatible model for the real-OpenClaw leg: a chat-completions server on
 * 127.0.0.1 that streams (SSE) what a rule chosen by the test decides, so the real agent runtime
 * runs real turns offline (REAL-OPENCLAW.md, "A real agent turn, offline: a scripted model").
 * Configure it as the provider `scripted` with {@link scriptedProviderConfig}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message of a chat-completions request; `content` is a string or a list of parts. */
export interface ChatMessage {
  role: string;
  content?: string | readonly { type?: string; text?: string }[] | null;
  tool_calls?: readonly { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** A request as OpenClaw sends it (the fields rules read; the rest is kept in `body`). */
export interface ChatRequest {
  model: string;
  messages: readonly ChatMessage[];
  /** The names of the tools offered (`exec` is the shell). */
  tools: readonly string[];
  /** The whole parsed body, for assertions on what this page does not name. */
  body: Record<string, unknown>;
}

/** What the model answers: plain text, or one tool call whose arguments are JSON-encoded for it. */
export type ModelReply = { text: string } | { tool: string; arguments: Record<string, unknown> };

/** Decides the answer to one request. */
export type ModelRule = (request: ChatRequest) => ModelReply;

/** A request received, with the answer it got. */
export interface Exchange extends ChatRequest {
  reply: ModelReply;
}

/** A running scripted model. */
export interface ScriptedModel {
  port: number;
  /** `http://127.0.0.1:PORT/v1`: the provider's `baseUrl`. */
  baseUrl: string;
  /** Every chat-completions request received, with its answer, oldest first. */
  readonly requests: readonly Exchange[];
  /** Replace the rule for the requests to come. */
  setRule(rule: ModelRule): void;
  /** Stop listening and drop open connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Marks the extra `user` message of internal context OpenClaw sends after a tool result. */
const INTERNAL_CONTEXT = '<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>';
/** The word OpenClaw takes as "nothing to report / nothing to say". */
export const NO_REPLY = 'NO_REPLY';

/** The text of a message, its parts joined. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * The messages after the last user message OpenClaw wrote for the turn itself (not its
 * internal-context note that follows a tool result), that message included.
 */
function currentTurn(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role === 'user' && !messageText(message).includes(INTERNAL_CONTEXT)) return messages.slice(index);
  }
  return messages;
}

/** The text of the first tool result of the current turn, if the agent already ran a tool. */
export function toolResultOfTurn(request: ChatRequest): string | undefined {
  const result = currentTurn(request.messages).find((message) => message.role === 'tool');
  return result === undefined ? undefined : messageText(result);
}

/**
 * The first backticked command line containing `word` in the current turn's user message or in the
 * system prompt: what the runner's heartbeat block asks the agent to run.
 */
export function backtickedCommand(request: ChatRequest, word: string): string | undefined {
  const [turnMessage] = currentTurn(request.messages);
  const texts = [
    ...(turnMessage?.role === 'user' ? [messageText(turnMessage)] : []),
    ...request.messages.filter((message) => message.role === 'system' || message.role === 'developer').map(messageText),
  ];
  for (const text of texts) {
    for (const match of text.matchAll(/`([^`\n]+)`/g)) {
      if (match[1]!.includes(word)) return match[1];
    }
  }
  return undefined;
}

/**
 * The default rule, for the heartbeat: when the turn asks for a backticked command line containing
 * `heartbeat` and no tool ran yet, call `exec` with it; once the tool result is there, answer with
 * its text verbatim (so the heartbeat's reply is what the command printed). Anything else (skill
 * review, memory dreaming, a turn with no such command) gets `NO_REPLY`, so no turn loops.
 * `command` overrides the command line found in the prompt.
 */
export function heartbeatRule(command?: string): ModelRule {
  return (request) => {
    const result = toolResultOfTurn(request);
    if (result !== undefined) return { text: result.trim() === '' ? NO_REPLY : result };
    const line = command ?? backtickedCommand(request, 'heartbeat');
    if (line !== undefined && request.tools.includes('exec')) return { tool: 'exec', arguments: { command: line } };
    return { text: NO_REPLY };
  };
}

/** The `models` block and default model that make OpenClaw use a scripted model at `baseUrl`. */
export function scriptedProviderConfig(baseUrl: string): { models: Record<string, unknown>; model: { primary: string } } {
  return {
    models: {
      mode: 'merge',
      providers: {
        scripted: {
          baseUrl,
          apiKey: 'sk-local',
          api: 'openai-completions',
          timeoutSeconds: 60,
          models: [
            {
              id: 'scripted',
              name: 'Scripted',
              reasoning: false,
              input: ['text'],
              cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
              contextWindow: 120000,
              maxTokens: 8192,
            },
          ],
        },
      },
    },
    model: { primary: 'scripted/scripted' },
  };
}

/** Start a scripted model on a free loopback port; `rule` defaults to {@link heartbeatRule}. */
export async function startScriptedModel(rule: ModelRule = heartbeatRule()): Promise<ScriptedModel> {
  const requests: Exchange[] = [];
  let current = rule;
  let replies = 0;
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // OpenClaw probes a loopback provider's model list before an isolated job's turn.
    if (request.method === 'GET' && url.pathname.endsWith('/models')) {
      sendJson(response, { object: 'list', data: [{ id: 'scripted', object: 'model', owned_by: 'scripted' }] });
      return;
    }
    if (request.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) {
      sendJson(response, { error: { message: `no route ${request.method ?? ''} ${url.pathname}` } }, 404);
      return;
    }
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    const chat: ChatRequest = {
      model: String(body.model ?? ''),
      messages: Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [],
      tools: Array.isArray(body.tools) ? (body.tools as { function?: { name?: string } }[]).map((tool) => tool.function?.name ?? '') : [],
      body,
    };
    const reply = current(chat);
    requests.push({ ...chat, reply });
    replies += 1;
    const id = `chatcmpl-scripted-${replies}`;
    if (body.stream === false) sendJson(response, completion(id, chat.model, reply));
    else stream(response, id, chat.model, reply);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    setRule: (next) => (current = next),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, value: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

/** The streamed answer OpenClaw 2026.9.6 accepts: role, content or tool call, finish, usage, [DONE]. */
function stream(response: ServerResponse, id: string, model: string, reply: ModelReply): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
  const delta = (value: Record<string, unknown>, finish: string | null = null) => chunk([{ index: 0, delta: value, finish_reason: finish }]);
  delta({ role: 'assistant', content: '' });
  if ('text' in reply) {
    delta({ content: reply.text });
    delta({}, 'stop');
  } else {
    delta({ tool_calls: [{ index: 0, id: `call_${id}`, type: 'function', function: { name: reply.tool, arguments: '' } }] });
    delta({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(reply.arguments) } }] });
    delta({}, 'tool_calls');
  }
  chunk([], { usage: USAGE });
  response.end('data: [DONE]\n\n');
}

/** The same answer unstreamed, for a request with `stream: false`. */
function completion(id: string, model: string, reply: ModelReply): Record<string, unknown> {
  const message =
    'text' in reply
      ? { role: 'assistant', content: reply.text }
      : { role: 'assistant', content: null, tool_calls: [{ id: `call_${id}`, type: 'function', function: { name: reply.tool, arguments: JSON.stringify(reply.arguments) } }] };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
    usage: USAGE,
  };
}
