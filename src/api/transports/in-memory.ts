/** Host and client in one process, for tests and the CLI: the same dispatcher and client, no socket. */
import type { ApiHandlers } from '../contract.js';
import { RpcClient, RpcDispatcher, type EventMessage } from '../rpc.js';

export function connectInMemory(handlers: ApiHandlers): { client: RpcClient; publish: (event: EventMessage) => void } {
  const dispatcher = new RpcDispatcher(handlers);
  const listeners = new Set<(message: unknown) => void>();
  const deliver = (message: unknown) => {
    // Round-trip through JSON so tests see exactly what a real transport would carry.
    const copy: unknown = JSON.parse(JSON.stringify(message));
    queueMicrotask(() => listeners.forEach((listener) => listener(copy)));
  };
  const client = new RpcClient({
    send: (message) => {
      void dispatcher.dispatch(JSON.parse(JSON.stringify(message))).then((reply) => reply && deliver(reply));
    },
    onMessage: (handler) => {
      listeners.add(handler);
      return () => listeners.delete(handler);
    },
  });
  return { client, publish: deliver };
}
