/**
 * The headless host: the same engine, its UI served as static files and its API as RPC over a
 * WebSocket. Binds 127.0.0.1 unless the user opts in to another address, and then every page and
 * socket needs the session token. Sockets from pages of other origins are refused either way, so a
 * web page in the same browser cannot drive the stage.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName, EventPayload } from '../api/contract.js';
import { eventMessage, RpcDispatcher } from '../api/rpc.js';
import { LoopstageError } from '../core/errors.js';
import type { Engine } from '../engine/session/engine.js';
import { createApiHandlers, forwardEngineEvents } from '../host/api-handlers.js';
import { isMediaPath, mediaFileFor } from '../host/media.js';

export interface ServeOptions {
  readonly engine: Engine;
  /** Folder of the built UI (dist/ui). */
  readonly uiDir: string;
  readonly host?: string;
  readonly port?: number;
  /** Required for non-loopback hosts; generated when absent. */
  readonly token?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly token: string | null;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/mp4',
  '.webm': 'video/webm',
  '.mkv': 'video/webm',
};

export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function sameToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = LOOPBACK.has(host);
  const token = loopback ? (options.token ?? null) : (options.token ?? randomBytes(24).toString('base64url'));
  const uiDir = path.resolve(options.uiDir);
  try {
    await fs.access(path.join(uiDir, 'index.html'));
  } catch {
    throw new LoopstageError('SERVER_UI_MISSING', `The built UI is missing from ${uiDir}; run \`npm run build\` first.`);
  }

  const server = createServer((request, response) => {
    const served = isMediaPath(new URL(request.url ?? '/', 'http://localhost').pathname)
      ? serveMedia(request, response, options.engine, token)
      : serveStatic(request, response, uiDir, token);
    served.catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const dispatcher = new RpcDispatcher(createApiHandlers(options.engine, 'server'));

  const listening = await listen(server, host, options.port ?? 7420);
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${listening}`;

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', origin);
    const allowedOrigin = request.headers.origin === undefined || request.headers.origin === origin;
    if (url.pathname !== '/rpc' || !allowedOrigin || (token !== null && !sameToken(url.searchParams.get('token'), token))) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      void dispatcher.dispatch(message).then((reply) => {
        if (reply && ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
  }

  const publish = <E extends EventName>(name: E, payload: EventPayload<E>) => {
    const text = JSON.stringify(eventMessage(name, payload));
    for (const client of sockets.clients) {
      // A client that cannot keep up loses ticks, not the server's time: the next tick supersedes.
      if (client.readyState === client.OPEN && client.bufferedAmount < 1 << 20) client.send(text);
    }
  };
  const stopForwarding = forwardEngineEvents(options.engine, publish);

  return {
    url: `${origin}/${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    port: listening,
    host,
    token,
    close: async () => {
      stopForwarding();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      // close() waits for every connection to end: closing them all (idle keep-alive ones too) lets it.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new LoopstageError('SERVER_PORT_IN_USE', `Port ${port} on ${host} is already in use by another program; stop it or choose another port with --port N.`, { port }));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
        reject(new LoopstageError('SERVER_LISTEN_FAILED', `Loopstage cannot listen on ${host}:${port} (${error.code}); choose an address of this machine and a port above 1023.`, { port, host }));
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function baseHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/**
 * A picture, with byte ranges (the video element seeks by range). With a token, a media request
 * needs it too: the page passes it on the URL, as it does for its socket.
 */
async function serveMedia(request: IncomingMessage, response: ServerResponse, engine: Engine, token: string | null): Promise<void> {
  const headers = { ...baseHeaders(), 'Accept-Ranges': 'bytes' };
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, headers).end();
    return;
  }
  if (token !== null && !sameToken(url.searchParams.get('token'), token)) {
    response.writeHead(403, headers).end();
    return;
  }
  const file = await mediaFileFor(engine, url.pathname);
  const stat = file ? await fs.stat(file).catch(() => null) : null;
  if (!file || !stat?.isFile()) {
    response.writeHead(404, headers).end();
    return;
  }
  const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  let start = 0;
  let end = stat.size - 1;
  if (range) {
    if (range[1] === '' && range[2] !== '') {
      start = Math.max(0, stat.size - Number(range[2]));
    } else {
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(end, Number(range[2]));
    }
    if (start > end || start >= stat.size) {
      response.writeHead(416, { ...headers, 'Content-Range': `bytes */${stat.size}` }).end();
      return;
    }
  }
  const length = end - start + 1;
  response.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Type': type,
    'Content-Length': length,
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${stat.size}` } : {}),
  });
  if (request.method === 'HEAD' || length === 0) {
    response.end();
    return;
  }
  createReadStream(file, { start, end }).pipe(response);
}

async function serveStatic(request: IncomingMessage, response: ServerResponse, uiDir: string, token: string | null): Promise<void> {
  const headers = baseHeaders();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, headers).end();
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  // With a token, only the page itself is reachable without one; its assets are public build output.
  if (token !== null && url.pathname === '/' && !sameToken(url.searchParams.get('token'), token)) {
    response.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('This Loopstage session needs its token: open the link the operator\'s screen shows.\n');
    return;
  }
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = path.resolve(uiDir, `.${relative}`);
  if (!file.startsWith(uiDir + path.sep)) {
    response.writeHead(404, headers).end();
    return;
  }
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    stat = null;
  }
  if (!stat?.isFile()) {
    response.writeHead(404, headers).end();
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': stat.size });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}
