/**
 * The engine's API over Electron IPC. Every message is checked for its sender (a frame of ours,
 * served from app://loopstage, in a window we made) and validated against the contract before
 * anything runs; replies and events go back on one channel.
 */
import type { EventName, EventPayload } from '../src/api/contract.js';
import { eventMessage, RpcDispatcher } from '../src/api/rpc.js';
import type { Engine } from '../src/engine/session/engine.js';
import { createApiHandlers, forwardEngineEvents } from '../src/host/api-handlers.js';
import { APP_ORIGIN, CALL_CHANNEL, MESSAGE_CHANNEL } from './channels.js';

/** The parts of Electron's types the host uses, so it can be tested without Electron. */
export interface SenderLike {
  readonly id: number;
  send(channel: string, message: unknown): void;
  isDestroyed(): boolean;
}
export interface IpcEventLike {
  readonly sender: SenderLike;
  readonly senderFrame: { readonly url: string } | null;
}
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEventLike, message: unknown) => void): void;
  removeAllListeners(channel: string): void;
}

export function isTrustedFrame(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

export class IpcHost {
  readonly #dispatcher: RpcDispatcher;
  readonly #senders = new Map<number, SenderLike>();
  readonly #stopForwarding: () => void;
  /** Calls refused for their sender, for the log and for tests. */
  refused = 0;

  constructor(private readonly ipc: IpcMainLike, engine: Engine) {
    this.#dispatcher = new RpcDispatcher(createApiHandlers(engine, 'electron'));
    ipc.on(CALL_CHANNEL, (event, message) => this.#onCall(event, message));
    this.#stopForwarding = forwardEngineEvents(engine, (name, payload) => this.#broadcast(name, payload));
  }

  /** Only windows registered here (the ones we created) may talk to the engine. */
  allow(sender: SenderLike): void {
    this.#senders.set(sender.id, sender);
  }

  dispose(): void {
    this.#stopForwarding();
    this.ipc.removeAllListeners(CALL_CHANNEL);
  }

  #onCall(event: IpcEventLike, message: unknown): void {
    if (this.#senders.get(event.sender.id) !== event.sender || !isTrustedFrame(event.senderFrame?.url)) {
      this.refused++;
      return;
    }
    void this.#dispatcher.dispatch(message).then((reply) => {
      if (reply && !event.sender.isDestroyed()) event.sender.send(MESSAGE_CHANNEL, reply);
    });
  }

  #broadcast<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const message = eventMessage(name, payload);
    for (const [id, sender] of this.#senders) {
      if (sender.isDestroyed()) this.#senders.delete(id);
      else sender.send(MESSAGE_CHANNEL, message);
    }
  }
}
