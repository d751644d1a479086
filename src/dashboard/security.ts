import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { webOrigin } from '../config/web-origin.js';

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
  /** `dashboard.publicOrigin`: where a TLS reverse proxy serves the page (as {@link webOrigin} gives it). */
  publicOrigin?: string;
  /** `dashboard.trustProxy`: the origin named by `X-Forwarded-Proto` and `X-Forwarded-Host` is the page's. */
  trustProxy?: boolean;
}

/**
 * The dashboard's access rules, one place:
 *
 * - With a token (always beyond loopback), every request carries it: `Authorization: Bearer`, or
 *   the cookie set when a page is first opened with `?token=…` (HttpOnly, SameSite=Strict).
 * - On loopback the `Host` header must be a loopback name, or the host of `publicOrigin`, so a web
 *   page that rebinds its own DNS name to 127.0.0.1 cannot read the dashboard. `X-Forwarded-Host`
 *   never counts here: such a page can send that header to its own name.
 * - Changes are POST only, with a JSON body (a cross-site form cannot send one) and an `Origin`
 *   equal to the dashboard's own (see {@link RequestGuard.pageOrigins}); a request without `Origin`
 *   must carry the token in `Authorization` (a script or curl, not a browser page).
 */
export class RequestGuard {
  private readonly options: GuardOptions;
  constructor(options: GuardOptions) {
    this.options = options;
  }

  check(request: IncomingMessage, url: URL, changes: boolean): Verdict {
    const host = request.headers.host ?? '';
    if (this.options.loopback && !isLoopbackHost(hostName(host)) && !this.isPublicHost(host)) {
      const or = this.options.publicOrigin === undefined ? '' : ` nor the host of dashboard.publicOrigin (${this.options.publicOrigin})`;
      return refuse(403, 'dashboard.forbidden', `Host ${JSON.stringify(host)} is not a loopback address${or}`);
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
      } else if (!this.pageOrigins(request).includes(webOrigin(origin) ?? '')) {
        return refuse(403, 'dashboard.forbidden', `cross-origin request refused (Origin ${JSON.stringify(origin)}; behind a reverse proxy, see dashboard.publicOrigin and dashboard.trustProxy)`);
      }
    }
    if (token !== undefined && request.method === 'GET' && url.searchParams.has('token') && bearer === undefined) {
      // A page served over https: the browser must never send the token over plain http.
      const secure = this.servedOverHttps(request) ? '; Secure' : '';
      return { ok: true, redirectWithCookie: `${tokenCookieName(host)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${secure}` };
    }
    return { ok: true };
  }

  /**
   * The origins the page of this request may have been served from. Reached directly, `http://<Host>`;
   * with `trustProxy`, a request that came through the proxy (it has `X-Forwarded-Proto`) names its
   * own instead. `publicOrigin` always counts, and is the only one when `Host` is its host (a proxy
   * that passes the public `Host` on); a proxy that sends its upstream's `Host` leaves no trace of it.
   */
  private pageOrigins(request: IncomingMessage): string[] {
    const host = request.headers.host ?? '';
    const { publicOrigin, trustProxy } = this.options;
    if (publicOrigin !== undefined && this.isPublicHost(host)) return [publicOrigin];
    const throughProxy = trustProxy === true && request.headers['x-forwarded-proto'] !== undefined;
    const reached = throughProxy ? forwardedOrigin(request, host) : webOrigin(`http://${host}`);
    const origins = reached === undefined ? [] : [reached];
    if (publicOrigin !== undefined) origins.push(publicOrigin);
    return origins;
  }

  /** Whether every origin this request's page may have is an https one. */
  private servedOverHttps(request: IncomingMessage): boolean {
    const origins = this.pageOrigins(request);
    return origins.length > 0 && origins.every((origin) => origin.startsWith('https:'));
  }

  /** Whether `Host` names the host of `publicOrigin` (a proxy that passes the public `Host` on). */
  private isPublicHost(host: string): boolean {
    const publicOrigin = this.options.publicOrigin;
    if (publicOrigin === undefined || host === '') return false;
    return webOrigin(`${new URL(publicOrigin).protocol}//${host}`) === publicOrigin;
  }
}

/**
 * The origin a reverse proxy says the page was served from: the first (client side) value of
 * `X-Forwarded-Proto`, http or https, and of `X-Forwarded-Host`, else `Host`. Undefined when they
 * do not make an origin.
 */
function forwardedOrigin(request: IncomingMessage, host: string): string | undefined {
  const proto = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase();
  if (proto !== 'http' && proto !== 'https') return undefined;
  const forwardedHost = firstValue(request.headers['x-forwarded-host']) ?? host;
  return webOrigin(`${proto}://${forwardedHost}`);
}

/** The first of a header's comma-separated values (each proxy on the way appends its own). */
function firstValue(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  const first = text?.split(',')[0]!.trim();
  return first === '' ? undefined : first;
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
