import { afterEach, describe, expect, it } from 'vitest';
import { checkGateway } from '../../src/health/gateway.js';
import { closedPort, json, startServer, type Handler, type TestServer } from './http-servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

// Routes of a real 2026.9 gateway (REAL-OPENCLAW.md): /health, /readyz; any other path the HTML page.
function gateway(routes: Record<string, (response: Parameters<Handler>[1]) => void>): Handler {
  return (request, response) => {
    const route = routes[request.url ?? ''];
    if (route) route(response);
    else response.writeHead(200, { 'content-type': 'text/html' }).end('<html>control</html>');
  };
}

describe('checkGateway', () => {
  it('a gateway answering 200 on /health and ready on /readyz is healthy', async () => {
    const server = await serve(
      gateway({
        '/health': (r) => json(r, 200, { ok: true, status: 'live' }),
        '/readyz': (r) => json(r, 200, { ready: true, failing: [], uptimeMs: 1234 }),
      }),
    );
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'healthy', url: `${server.origin}/health`, http_status: 200, ready: true });
    expect(check.summary).toBe(`${server.origin}/health answered 200; ready`);
  });

  it('a 3xx is an answer: healthy, the redirect not followed', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/health') response.writeHead(302, { location: '/elsewhere' }).end();
      else response.writeHead(404).end();
    });
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'healthy', http_status: 302, ready: null });
    expect(server.requests).toEqual(['/health', '/readyz']);
  });

  it('an older gateway (404 on /health) is asked at its root', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      else response.writeHead(404).end('not found');
    });
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'healthy', url: `${server.origin}/`, http_status: 200, ready: null });
    expect(check.summary).toContain('no /health route');
    expect(check.summary).toContain('no readiness endpoint');
    expect(server.requests).toEqual(['/health', '/', '/readyz']);
  });

  it('404 on /health and on the root is unhealthy, naming the root URL', async () => {
    const server = await serve((_request, response) => response.writeHead(404).end());
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'unhealthy', http_status: 404 });
    expect(check.summary).toBe(`${server.origin}/ answered 404 (no /health route, so an older gateway; its root was asked)`);
  });

  it('a 503 on /health is unhealthy, naming the URL and the status', async () => {
    const server = await serve((_request, response) => json(response, 503, { ok: false }));
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'unhealthy', http_status: 503 });
    expect(check.summary).toBe(`${server.origin}/health answered 503`);
  });

  it('live but not ready (/readyz 503) is degraded, naming what is failing', async () => {
    const server = await serve(
      gateway({
        '/health': (r) => json(r, 200, { ok: true, status: 'live' }),
        '/readyz': (r) => json(r, 503, { ready: false, failing: ['startup-sidecars'] }),
      }),
    );
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'degraded', ready: false, failing: ['startup-sidecars'] });
    expect(check.summary).toBe(
      `${server.origin}/health answered 200, but not ready (${server.origin}/readyz answered 503): failing startup-sidecars`,
    );
  });

  it('a 404 on /readyz means no readiness endpoint, not a problem', async () => {
    const server = await serve((request, response) =>
      request.url === '/health' ? json(response, 200, { ok: true }) : response.writeHead(404).end(),
    );
    const check = await checkGateway({ url: `${server.origin}/health` });
    expect(check).toMatchObject({ status: 'healthy', ready: null });
    expect(check.summary).toContain('no readiness endpoint');
  });

  it('a gateway that never answers is unhealthy once the time limit passes', async () => {
    const server = await serve(() => undefined);
    const check = await checkGateway({ url: `${server.origin}/health`, timeoutMs: 200 });
    expect(check).toMatchObject({ status: 'unhealthy', url: `${server.origin}/health` });
    expect(check.summary).toBe(`no answer within 200 ms from ${server.origin}/health`);
  });

  it('a closed port is unhealthy: connection refused, naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/health`;
    const check = await checkGateway({ url });
    expect(check).toMatchObject({ status: 'unhealthy', url });
    expect(check.summary).toBe(`connection refused at ${url}`);
  });

  it('an aborted run throws instead of reporting', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = checkGateway({ url: `${server.origin}/health`, signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
  });
});
