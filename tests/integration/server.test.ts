/** The headless host over real sockets: what it serves, who may connect, and clear failures. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngine } from '../../src/host/create-engine.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

const uiDir = mkdtempSync(path.join(os.tmpdir(), 'loopstage-ui-'));
writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>Loopstage</title>');
mkdirSync(path.join(uiDir, 'assets'));
writeFileSync(path.join(uiDir, 'assets', 'app.js'), 'export {}');
writeFileSync(path.join(os.tmpdir(), 'loopstage-secret.txt'), 'secret');

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function serve(options: { host?: string; token?: string } = {}) {
  const server = await startServer({ engine: createEngine(), uiDir, port: 0, ...options });
  running.push(server);
  return server;
}

function call(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => socket.send(JSON.stringify({ t: 'call', id: 1, method: 'app.hello', params: {} })));
    socket.on('message', (data) => {
      resolve(JSON.parse(data.toString()));
      socket.close();
    });
    socket.on('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.on('error', reject);
  });
}

describe('headless server', () => {
  it('binds 127.0.0.1 by default and serves the UI with a strict CSP', async () => {
    const server = await serve();
    expect(server.host).toBe('127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('does not serve files outside the UI folder', async () => {
    const server = await serve();
    for (const attempt of ['/../loopstage-secret.txt', '/%2e%2e/loopstage-secret.txt', '/assets/..%2f..%2floopstage-secret.txt']) {
      const response = await fetch(`http://127.0.0.1:${server.port}${attempt}`);
      expect(response.status, attempt).toBe(404);
    }
  });

  it('answers RPC on /rpc from its own origin and refuses other origins', async () => {
    const server = await serve();
    const url = `ws://127.0.0.1:${server.port}/rpc`;
    await expect(call(url, { Origin: `http://127.0.0.1:${server.port}` })).resolves.toMatchObject({ t: 'result', result: { host: 'server' } });
    await expect(call(url, { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('requires the session token when opted in to another address', async () => {
    const server = await serve({ host: '127.0.0.2' });
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(server.url).toContain(`token=${server.token}`);
    const base = `127.0.0.2:${server.port}`;
    expect((await fetch(`http://${base}/`)).status).toBe(403);
    expect((await fetch(`http://${base}/?token=${server.token}`)).status).toBe(200);
    await expect(call(`ws://${base}/rpc`)).rejects.toThrow(/403/);
    await expect(call(`ws://${base}/rpc?token=wrong`)).rejects.toThrow(/403/);
    await expect(call(`ws://${base}/rpc?token=${server.token}`)).resolves.toMatchObject({ t: 'result' });
  });

  it('says clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startServer({ engine: createEngine(), uiDir, port })).rejects.toMatchObject({
        code: 'SERVER_PORT_IN_USE',
        message: `Port ${port} on 127.0.0.1 is already in use by another program; stop it or choose another port with --port N.`,
      });
    } finally {
      blocker.close();
    }
  });
});
