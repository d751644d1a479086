import { DEFAULT_GATEWAY_PORT, gatewayTarget } from '../config/openclaw-gateway.js';
import type { CheckResult } from './check-status.js';

/**
 * The gateway check of system_health (SPEC §5): is the OpenClaw gateway live, and is it ready?
 * A real 2026.9 gateway answers `GET /health` with 200 `{"ok":true,"status":"live"}` and
 * `GET /readyz` with 503 `{"ready":false,"failing":[…]}` while it starts, 200 once ready. An
 * older gateway has no `/health` route (404), so its root is asked instead.
 */

/** The liveness URL of a gateway on OpenClaw's default port. */
export const DEFAULT_GATEWAY_URL = `http://127.0.0.1:${DEFAULT_GATEWAY_PORT}/health`;
export const DEFAULT_GATEWAY_TIMEOUT_MS = 5000;

/** Readiness bodies are small JSON; a larger answer (the HTML control page) is not read whole. */
const MAX_BODY_CHARS = 64 * 1024;

export interface GatewayCheckOptions {
  /** The liveness URL (default {@link DEFAULT_GATEWAY_URL}). */
  url?: string;
  /** Limit of each HTTP request, in ms (default {@link DEFAULT_GATEWAY_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Stops the check (the run's own signal); an aborted check throws instead of reporting. */
  signal?: AbortSignal;
}

/** The gateway check's result: the URL that decided it, its HTTP status, its readiness. */
export interface GatewayCheck extends CheckResult {
  url: string;
  http_status?: number;
  /** `true`/`false` from `/readyz`; `null` when the gateway has no readiness endpoint. */
  ready?: boolean | null;
  /** What `/readyz` says is not ready yet (`startup-sidecars`, …). */
  failing?: string[];
}

/** How one GET ended. */
type Probe =
  | { kind: 'answered'; url: string; status: number; body: string }
  | { kind: 'refused'; url: string }
  | { kind: 'timedOut'; url: string; timeoutMs: number }
  | { kind: 'error'; url: string; reason: string };

/**
 * Check the gateway: liveness (with the older gateway's root as fallback on 404), then readiness
 * where the gateway has it. Every request has its own time limit, so the check takes at most
 * three of them. Never rejects unless `signal` aborts.
 */
export async function checkGateway(options: GatewayCheckOptions = {}): Promise<GatewayCheck> {
  const url = options.url ?? DEFAULT_GATEWAY_URL;
  const get = (target: string) => probe(target, options.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS, options.signal);
  let live = await get(url);
  let note = '';
  const root = new URL('/', url).href;
  if (isAnswer(live, 404) && root !== live.url) {
    // An older gateway without the route: its root answering means it is up.
    note = ` (no ${new URL(url).pathname} route, so an older gateway; its root was asked)`;
    live = await get(root);
  }
  if (live.kind !== 'answered' || live.status >= 400) {
    return { status: 'unhealthy', summary: `${describeProbe(live)}${note}`, url: live.url, ...statusOf(live) };
  }
  const readiness = await get(new URL('/readyz', url).href);
  return { ...judgeReadiness(readiness, live), summary: summaryOf(readiness, live, note) };
}

/** Where to find the gateway, for {@link checkGatewayOf}. */
export interface GatewayLocation {
  /** `gateway.url` of the runner's config; without it, OpenClaw's config decides (see `gatewayTarget`). */
  url?: string;
  timeoutMs?: number;
  /** Environment that locates OpenClaw's config (`$HOME`, `$OPENCLAW_CONFIG_PATH`, …) and `$OPENCLAW_GATEWAY_PORT`. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * The gateway check against the gateway the runner's config names, else the one OpenClaw's config
 * describes (its port, HTTPS or not). An OpenClaw config that cannot be read says nothing about
 * where the gateway is: the check is `unknown`, naming the file and what is wrong with it.
 */
export async function checkGatewayOf(location: GatewayLocation): Promise<GatewayCheck> {
  let url: string;
  try {
    url = gatewayTarget(location.url, location.env).url;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { status: 'unknown', summary: `cannot tell where the gateway listens: ${reason}`, url: '' };
  }
  return checkGateway({ url, timeoutMs: location.timeoutMs, signal: location.signal });
}

function isAnswer(result: Probe, status: number): result is Extract<Probe, { kind: 'answered' }> {
  return result.kind === 'answered' && result.status === status;
}

function statusOf(result: Probe): { http_status?: number } {
  return result.kind === 'answered' ? { http_status: result.status } : {};
}

/**
 * A live gateway is healthy when ready or when it has no readiness endpoint (404, or the HTML page
 * an unknown path gets), degraded while `/readyz` says it is not ready or cannot be asked.
 */
function judgeReadiness(readiness: Probe, live: Extract<Probe, { kind: 'answered' }>): GatewayCheck {
  const base = { url: live.url, http_status: live.status, summary: '' };
  if (readiness.kind !== 'answered') return { ...base, status: 'degraded', ready: false };
  if (readiness.status === 404) return { ...base, status: 'healthy', ready: null };
  const body = readinessBody(readiness.body);
  const ok = readiness.status < 400;
  if (ok && body?.ready !== false) return { ...base, status: 'healthy', ready: body === undefined ? null : true };
  return { ...base, status: 'degraded', ready: false, failing: body?.failing ?? [] };
}

function summaryOf(readiness: Probe, live: Extract<Probe, { kind: 'answered' }>, note: string): string {
  const answered = `${live.url} answered ${live.status}${note}`;
  if (readiness.kind !== 'answered') return `${answered}, but its readiness is unknown: ${describeProbe(readiness)}`;
  const body = readinessBody(readiness.body);
  if (readiness.status === 404) return `${answered}; no readiness endpoint`;
  if (readiness.status < 400 && body?.ready !== false) return body === undefined ? `${answered}; no readiness endpoint` : `${answered}; ready`;
  const failing = body?.failing?.length ? `: failing ${body.failing.join(', ')}` : '';
  return `${answered}, but not ready (${readiness.url} answered ${readiness.status})${failing}`;
}

/** `{ready, failing}` from a `/readyz` body; undefined when it is not that JSON (an HTML page). */
function readinessBody(text: string): { ready?: boolean; failing?: string[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !('ready' in value)) return undefined;
  const { ready, failing } = value as { ready?: unknown; failing?: unknown };
  return {
    ready: typeof ready === 'boolean' ? ready : undefined,
    failing: Array.isArray(failing) ? failing.map(String) : undefined,
  };
}

/** One line naming the URL and what went wrong. */
function describeProbe(result: Probe): string {
  switch (result.kind) {
    case 'answered':
      return `${result.url} answered ${result.status}`;
    case 'refused':
      return `connection refused at ${result.url}`;
    case 'timedOut':
      return `no answer within ${result.timeoutMs} ms from ${result.url}`;
    case 'error':
      return `${result.url}: ${result.reason}`;
  }
}

/**
 * GET `url` without following redirects (a 3xx is an answer: the gateway is up) and read at most
 * {@link MAX_BODY_CHARS} of the body. Resolves to how it ended; rejects only when `signal` aborts.
 */
async function probe(url: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<Probe> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: { accept: 'application/json' },
    });
    return { kind: 'answered', url, status: response.status, body: await readSome(response) };
  } catch (error) {
    signal?.throwIfAborted();
    if (timeout.aborted) return { kind: 'timedOut', url, timeoutMs };
    const code = errorCode(error);
    if (code === 'ECONNREFUSED') return { kind: 'refused', url };
    return { kind: 'error', url, reason: code ?? (error instanceof Error ? error.message : String(error)) };
  }
}

async function readSome(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (text.length < MAX_BODY_CHARS) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
  await reader.cancel();
  return text;
}

/** fetch wraps socket errors: `TypeError('fetch failed')` with the `ECONNREFUSED` one as cause. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
