import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The cookie a first visit with `?token=` sets, so the page's own requests carry the token. Cookies
 * do not tell ports apart: the name carries the port, so two dashboards on one host keep theirs.
 */
export const TOKEN_COOKIE = 'runner_dashboard_token';

/** The token cookie's name for a `Host` header (`127.0.0.1:8321` → `runner_dashboard_token_8321`). */
export function tokenCookieName(hostHeader: string): string {
  const port = /:(\d+)$/.exec(hostHeader)?.[1] ?? '80';
  return `${TOKEN_COOKIE}_${port}`;
}

/** Whether `host` (as given to `--host`) only listens on this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  // An IPv4-mapped loopback address.
  return /^::ffff:127\./.test(bare);
}

/** A fresh random token (URL-safe, 32 characters). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** What {@link RequestGuard} decides about a request. */
export type Verdict =
  | { ok: true; /** Set this cookie and redirect to the same page without `?token=`. */ redirectWithCookie?: string }
  | { ok: false; status: 401 | 403 | 405 | 415; code: 'dashboard.unauthorized' | 'dashboard.forbidden' | 'dashboard.badRequest'; message: string };

export interface GuardOptions {
  /** Required on every request when set. */
  token: string | undefined;
  /** Listening on loopback only: the Host header must then name a loopback address (no DNS rebinding). */
  loopback: boolean;
}

/**
 * The dashboard's access rules, one place:
 *
 * - With a token (always beyond loopback), every request carries it: `Authorization: Bearer`, or
 *   the cookie set when a page is first opened with `?token=…` (HttpOnly, SameSite=Strict).
 * - On loopback the `Host` header must be a loopback name, so a web page that rebinds its own DNS
 *   name to 127.0.0.1 cannot read the dashboard.
 * - Changes are POST only, with a JSON body (a cross-site form cannot send one) and an `Origin`
 *   equal to the dashboard's own; a request without `Origin` must carry the token in
 *   `Authorization` (a script or curl, not a browser page).
 */
export class RequestGuard {
  constructor(private readonly options: GuardOptions) {}

  check(request: IncomingMessage, url: URL, changes: boolean): Verdict {
    const host = request.headers.host ?? '';
    if (this.options.loopback && !isLoopbackHost(hostName(host))) {
      return refuse(403, 'dashboard.forbidden', `Host ${JSON.stringify(host)} is not a loopback address`);
    }
    const token = this.options.token;
    const bearer = bearerOf(request);
    if (token !== undefined) {
      const given = bearer ?? cookieOf(request, tokenCookieName(host)) ?? (request.method === 'GET' ? url.searchParams.get('token') ?? undefined : undefined);
      if (given === undefined || !sameSecret(given, token)) {
        return refuse(401, 'dashboard.unauthorized', 'this dashboard needs its token: open the URL it printed at start (with ?token=…) or send Authorization: Bearer <token>');
      }
    }
    if (changes) {
      if (request.method !== 'POST') return refuse(405, 'dashboard.badRequest', 'changes are POST requests');
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') return refuse(415, 'dashboard.badRequest', 'a change must be sent as application/json');
      const origin = request.headers.origin;
      if (origin === undefined) {
        if (token !== undefined && bearer === undefined) return refuse(403, 'dashboard.forbidden', 'a change without Origin must carry Authorization: Bearer <token>');
      } else if (origin !== `http://${host}`) {
        return refuse(403, 'dashboard.forbidden', `cross-origin request refused (Origin ${JSON.stringify(origin)})`);
      }
    }
    if (token !== undefined && request.method === 'GET' && url.searchParams.has('token') && bearer === undefined) {
      return { ok: true, redirectWithCookie: `${tokenCookieName(host)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` };
    }
    return { ok: true };
  }
}

function refuse(status: 401 | 403 | 405 | 415, code: 'dashboard.unauthorized' | 'dashboard.forbidden' | 'dashboard.badRequest', message: string): Verdict {
  return { ok: false, status, code, message };
}

/** `127.0.0.1:8321` → `127.0.0.1`; `[::1]:8321` → `::1`. */
export function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

function bearerOf(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Compare in constant time (for equal lengths). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
