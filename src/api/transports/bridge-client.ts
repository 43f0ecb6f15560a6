/** The renderer side of Electron: the RPC over the small `call`/`subscribe` bridge the preload exposes. */
import { RpcClient, type CallMessage } from '../rpc.js';

/** Exactly what electron/preload.ts puts on `window.loopstage`. */
export interface LoopstageBridge {
  send(message: CallMessage): void;
  subscribe(handler: (message: unknown) => void): () => void;
}

export function connectBridge(bridge: LoopstageBridge): RpcClient {
  return new RpcClient({ send: (message) => bridge.send(message), onMessage: (handler) => bridge.subscribe(handler) });
}
