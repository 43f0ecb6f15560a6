/**
 * The engine's API from a test, as the browser reaches it: the typed RPC client over a real
 * WebSocket to `loopstage serve` (no Origin header, as a native client sends none).
 */
import WebSocket from 'ws';
import type { RpcClient } from '../../src/api/rpc.js';
import { connectWebSocket, type WebSocketLike } from '../../src/api/transports/websocket-client.js';

export async function connectRpc(pageUrl: string): Promise<{ client: RpcClient; close(): void }> {
  const url = new URL(pageUrl);
  const rpc = `ws://${url.host}/rpc${url.search}`;
  const { client, socket } = await connectWebSocket(rpc, (address) => new WebSocket(address) as unknown as WebSocketLike);
  return { client, close: () => socket.close() };
}

/** Polls `read` every 25 ms until `done` holds for its value (or fails after `timeoutMs`). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
