import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { hostName, isLoopbackHost, newToken, RequestGuard, tokenCookieName } from '../../../src/dashboard/security.js';

function request(method: string, headers: Record<string, string>): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}
const url = (route: string) => new URL(route, 'http://dashboard.invalid');
const HOST = '127.0.0.1:8321';

describe('isLoopbackHost', () => {
  it('tells loopback addresses from the rest', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '128.0.0.1', '']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('reads the host name out of a Host header', () => {
    expect(hostName('127.0.0.1:8321')).toBe('127.0.0.1');
    expect(hostName('[::1]:8321')).toBe('::1');
    expect(hostName('localhost')).toBe('localhost');
  });

  it('makes distinct URL-safe tokens', () => {
    const a = newToken();
    expect(a).toMatch(/^[\w-]{32}$/);
    expect(newToken()).not.toBe(a);
  });
});

describe('RequestGuard on loopback without a token', () => {
  const guard = new RequestGuard({ token: undefined, loopback: true });

  it('lets reads through from a loopback Host', () => {
    expect(guard.check(request('GET', { host: HOST }), url('/api/tasks'), false)).toEqual({ ok: true });
    expect(guard.check(request('GET', { host: 'localhost:8321' }), url('/'), false)).toEqual({ ok: true });
  });

  it('refuses a Host that is not loopback (DNS rebinding)', () => {
    expect(guard.check(request('GET', { host: 'attacker.example:8321' }), url('/api/tasks'), false)).toMatchObject({ ok: false, status: 403 });
  });

  it('takes changes only as same-origin JSON POSTs', () => {
    const json = { host: HOST, 'content-type': 'application/json' };
    expect(guard.check(request('POST', { ...json, origin: `http://${HOST}` }), url('/api/batch'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', json), url('/api/batch'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', { ...json, origin: 'http://evil.example' }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 403, code: 'dashboard.forbidden' });
    expect(guard.check(request('POST', { ...json, origin: 'null' }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('POST', { host: HOST, 'content-type': 'text/plain', origin: `http://${HOST}` }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 415 });
    expect(guard.check(request('GET', { host: HOST }), url('/api/alerts/ack'), true)).toMatchObject({ ok: false, status: 405 });
  });
});

describe('RequestGuard with a token', () => {
  const token = 'a-token-of-thirty-two-characters';
  const guard = new RequestGuard({ token, loopback: false });
  const host = '192.168.1.5:8321';
  const TOKEN_COOKIE = tokenCookieName(host);

  it('names its cookie after the port, so dashboards on one host keep their own', () => {
    expect(tokenCookieName(host)).toBe('runner_dashboard_token_8321');
    expect(tokenCookieName('[::1]:9000')).toBe('runner_dashboard_token_9000');
    expect(guard.check(request('GET', { host: '192.168.1.5:9999', cookie: `${TOKEN_COOKIE}=${token}` }), url('/'), false)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses requests without it, or with a wrong one', () => {
    expect(guard.check(request('GET', { host }), url('/'), false)).toMatchObject({ ok: false, status: 401, code: 'dashboard.unauthorized' });
    expect(guard.check(request('GET', { host, authorization: 'Bearer wrong' }), url('/'), false)).toMatchObject({ ok: false, status: 401 });
    expect(guard.check(request('GET', { host, cookie: `${TOKEN_COOKIE}=wrong` }), url('/'), false)).toMatchObject({ ok: false, status: 401 });
    // The query parameter opens pages (GET), never a change.
    expect(guard.check(request('POST', { host, 'content-type': 'application/json', origin: `http://${host}` }), url(`/api/batch?token=${token}`), true)).toMatchObject({ ok: false, status: 401 });
  });

  it('takes it as Bearer, as the cookie, or once in ?token= (which sets the cookie)', () => {
    expect(guard.check(request('GET', { host, authorization: `Bearer ${token}` }), url('/api/tasks'), false)).toEqual({ ok: true });
    expect(guard.check(request('GET', { host, cookie: `other=1; ${TOKEN_COOKIE}=${token}` }), url('/api/tasks'), false)).toEqual({ ok: true });
    const first = guard.check(request('GET', { host }), url(`/?token=${token}`), false);
    expect(first).toMatchObject({ ok: true, redirectWithCookie: expect.stringContaining('HttpOnly; SameSite=Strict') });
  });

  it('refuses a cross-origin change even with the token, and a change without Origin that only has the cookie', () => {
    const json = { host, 'content-type': 'application/json' };
    expect(guard.check(request('POST', { ...json, authorization: `Bearer ${token}`, origin: 'http://evil.example' }), url('/api/run'), true)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('POST', { ...json, cookie: `${TOKEN_COOKIE}=${token}` }), url('/api/run'), true)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('POST', { ...json, cookie: `${TOKEN_COOKIE}=${token}`, origin: `http://${host}` }), url('/api/run'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', { ...json, authorization: `Bearer ${token}` }), url('/api/run'), true)).toEqual({ ok: true });
  });
});

describe('RequestGuard behind a reverse proxy', () => {
  const json = { host: HOST, 'content-type': 'application/json' };

  it('with publicOrigin, takes changes from it and its host, as the browser writes them', () => {
    const guard = new RequestGuard({ token: undefined, loopback: true, publicOrigin: 'https://runner.example.org' });
    expect(guard.check(request('POST', { ...json, origin: 'https://runner.example.org' }), url('/api/batch'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', { ...json, origin: `http://${HOST}` }), url('/api/batch'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', { ...json, host: 'Runner.Example.org:443', origin: 'https://runner.example.org' }), url('/api/batch'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', { ...json, origin: 'https://runner.example.org.evil.example' }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('GET', { host: 'runner.example.org.evil.example' }), url('/'), false)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('GET', { host: 'x@runner.example.org' }), url('/'), false)).toMatchObject({ ok: false, status: 403 });
  });

  it('with trustProxy, takes the first value of each X-Forwarded header, http or https only', () => {
    const guard = new RequestGuard({ token: undefined, loopback: true, trustProxy: true });
    const proxied = { ...json, 'x-forwarded-host': 'runner.example.org, 10.0.0.2' };
    expect(guard.check(request('POST', { ...proxied, 'x-forwarded-proto': 'HTTPS, http', origin: 'https://runner.example.org' }), url('/api/batch'), true)).toEqual({ ok: true });
    expect(guard.check(request('POST', { ...proxied, 'x-forwarded-proto': 'http, https', origin: 'https://runner.example.org' }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('POST', { ...proxied, 'x-forwarded-proto': 'ftp', origin: 'ftp://runner.example.org' }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 403 });
    expect(guard.check(request('POST', { ...proxied, 'x-forwarded-proto': 'ftp', origin: `http://${HOST}` }), url('/api/batch'), true)).toMatchObject({ ok: false, status: 403 });
    // Not through the proxy: the direct origin, as without trustProxy.
    expect(guard.check(request('POST', { ...json, origin: `http://${HOST}` }), url('/api/batch'), true)).toEqual({ ok: true });
  });
});
