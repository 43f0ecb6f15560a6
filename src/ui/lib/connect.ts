/**
 * Finds the engine. Inside Electron the preload puts a small `call`/`subscribe` bridge on
 * `window.loopstage`; in a browser (the headless `loopstage serve` host) the engine is at
 * `ws(s)://<this host>/rpc`, with the session token from this page's `?token=` when there is one.
 * The rest of the UI only ever sees the RpcClient.
 */
import { LoopstageError } from '../../core/errors.js';
import type { RpcClient } from '../../api/rpc.js';
import { connectBridge, type LoopstageBridge } from '../../api/transports/bridge-client.js';
import { connectWebSocket, type WebSocketLike } from '../../api/transports/websocket-client.js';

export interface EngineConnection {
  readonly client: RpcClient;
  readonly via: 'electron' | 'websocket';
  /** Where the engine is, for people: the socket address without its token, or "the Loopstage app". */
  readonly where: string;
  /** Calls `handler` once if the connection drops; returns a function that unsubscribes. */
  onLost(handler: () => void): () => void;
  close(): void;
}

export interface ConnectEnvironment {
  /** `window.loopstage`, whatever it holds (checked before use). */
  readonly bridge: unknown;
  readonly location: { readonly protocol: string; readonly host: string; readonly search: string };
  readonly openSocket: (url: string) => WebSocketLike;
  /** Give up on a socket that neither opens nor fails within this many ms. */
  readonly timeoutMs?: number;
}

export const CONNECT_TIMEOUT_MS = 10_000;

export function isBridge(value: unknown): value is LoopstageBridge {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof LoopstageBridge, unknown>>;
  return typeof candidate.send === 'function' && typeof candidate.subscribe === 'function';
}

/** The engine's socket address for a page at `location`: `ws(s)://host/rpc[?token=…]`. */
export function engineSocketUrl(location: ConnectEnvironment['location']): { url: string; where: string; token: string | null } {
  if (!location.host) {
    throw new LoopstageError(
      'ENGINE_UNREACHABLE',
      'This page was opened without a server, so there is no engine to talk to. Open Loopstage from the desktop app, or run `loopstage serve` and open the address it prints.',
    );
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const where = `${scheme}://${location.host}/rpc`;
  const token = new URLSearchParams(location.search).get('token');
  return { url: token ? `${where}?token=${encodeURIComponent(token)}` : where, where, token: token || null };
}

export function browserEnvironment(): ConnectEnvironment {
  return {
    bridge: (window as Window & { loopstage?: unknown }).loopstage,
    location: window.location,
    openSocket: (url) => new WebSocket(url),
  };
}

/** Connects to the engine, or fails with a LoopstageError (ENGINE_UNREACHABLE) that says what to do. */
export async function connectToEngine(env: ConnectEnvironment = browserEnvironment()): Promise<EngineConnection> {
  if (env.bridge !== undefined && env.bridge !== null) {
    if (!isBridge(env.bridge)) {
      throw new LoopstageError(
        'ENGINE_BRIDGE_INVALID',
        "The Loopstage app's bridge to its engine is missing pieces; the app may be damaged. Reinstall Loopstage.",
      );
    }
    const client = connectBridge(env.bridge);
    return { client, via: 'electron', where: 'the Loopstage app', onLost: () => () => {}, close: () => client.close() };
  }

  const { url, where, token } = engineSocketUrl(env.location);
  let socket: WebSocketLike | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      socket?.close();
      reject(new Error('timed out'));
    }, env.timeoutMs ?? CONNECT_TIMEOUT_MS);
  });
  let connected: Awaited<ReturnType<typeof connectWebSocket>>;
  try {
    connected = await Promise.race([
      connectWebSocket(url, (u) => {
        socket = env.openSocket(u);
        return socket;
      }),
      timedOut,
    ]);
  } catch {
    // Never echo the underlying error: it may contain the URL with the token.
    throw new LoopstageError(
      'ENGINE_UNREACHABLE',
      token
        ? `Loopstage could not reach its engine at ${where}. Check that \`loopstage serve\` is still running and that this link's session token is current, then reload this page.`
        : `Loopstage could not reach its engine at ${where}. Check that \`loopstage serve\` is still running, then reload this page. A screen on another device needs the full link with its session token (…?token=…).`,
      { where },
    );
  } finally {
    clearTimeout(timer);
  }

  const { client, socket: open } = connected;
  const lostHandlers = new Set<() => void>();
  let closedByUs = false;
  open.addEventListener('close', () => {
    client.failPending('ENGINE_DISCONNECTED', `The connection to Loopstage's engine at ${where} was lost; check that it is still running, then reload this page.`);
    if (closedByUs) return;
    for (const handler of [...lostHandlers]) handler();
    lostHandlers.clear();
  });
  return {
    client,
    via: 'websocket',
    where,
    onLost: (handler) => {
      lostHandlers.add(handler);
      return () => lostHandlers.delete(handler);
    },
    close: () => {
      closedByUs = true;
      client.close();
      open.close();
    },
  };
}
