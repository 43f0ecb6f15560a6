/** The browser side of the headless host: the RPC over a WebSocket (the browser's own). */
import { RpcClient, type ClientTransport } from '../rpc.js';

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
}

/** Opens the socket and resolves once it is connected, so the first call cannot race the handshake. */
export function connectWebSocket(url: string, open: (url: string) => WebSocketLike): Promise<{ client: RpcClient; socket: WebSocketLike }> {
  return new Promise((resolve, reject) => {
    const socket = open(url);
    const listeners = new Set<(message: unknown) => void>();
    socket.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      for (const listener of listeners) listener(message);
    });
    const transport: ClientTransport = {
      send: (message) => socket.send(JSON.stringify(message)),
      onMessage: (handler) => {
        listeners.add(handler);
        return () => listeners.delete(handler);
      },
    };
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      resolve({ client: new RpcClient(transport), socket });
    });
    socket.addEventListener('close', () => {
      if (!opened) reject(new Error(`could not connect to ${url}`));
    });
  });
}
