/** Electron's IPC host, with Electron's ipcMain stood in (no Electron binary here): sender and schema checks. */
import { describe, expect, it } from 'vitest';
import { CALL_CHANNEL, MESSAGE_CHANNEL } from '../../electron/channels.js';
import { IpcHost, isTrustedFrame, type IpcEventLike, type IpcMainLike, type SenderLike } from '../../electron/ipc-host.js';
import { createEngine } from '../../src/host/create-engine.js';

class FakeIpcMain implements IpcMainLike {
  listener: ((event: IpcEventLike, message: unknown) => void) | null = null;
  on(channel: string, listener: (event: IpcEventLike, message: unknown) => void) {
    expect(channel).toBe(CALL_CHANNEL);
    this.listener = listener;
  }
  removeAllListeners() {
    this.listener = null;
  }
}

function sender(id: number) {
  const sent: unknown[] = [];
  const s: SenderLike & { sent: unknown[] } = { id, sent, send: (channel, message) => { expect(channel).toBe(MESSAGE_CHANNEL); sent.push(message); }, isDestroyed: () => false };
  return s;
}

// The real engine with its real adapters; only Electron's ipcMain is stood in.
const engine = () => createEngine();

const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('IPC host', () => {
  it('trusts only frames served from app://loopstage', () => {
    expect(isTrustedFrame('app://loopstage/index.html')).toBe(true);
    expect(isTrustedFrame('https://example.com/')).toBe(false);
    expect(isTrustedFrame('app://loopstage.evil/')).toBe(false);
    expect(isTrustedFrame('file:///tmp/x.html')).toBe(false);
    expect(isTrustedFrame(undefined)).toBe(false);
  });

  it('answers calls from an allowed window on our origin', async () => {
    const ipc = new FakeIpcMain();
    const host = new IpcHost(ipc, engine());
    const window = sender(1);
    host.allow(window);
    ipc.listener!({ sender: window, senderFrame: { url: 'app://loopstage/' } }, { t: 'call', id: 7, method: 'app.hello', params: {} });
    await flush();
    expect(window.sent).toEqual([{ t: 'result', id: 7, result: { version: expect.any(String), host: 'electron' } }]);
  });

  it('refuses calls from unknown windows or foreign frames, and rejects malformed ones', async () => {
    const ipc = new FakeIpcMain();
    const host = new IpcHost(ipc, engine());
    const window = sender(1);
    const stranger = sender(2);
    host.allow(window);
    ipc.listener!({ sender: stranger, senderFrame: { url: 'app://loopstage/' } }, { t: 'call', id: 1, method: 'app.hello', params: {} });
    ipc.listener!({ sender: window, senderFrame: { url: 'https://ads.example/' } }, { t: 'call', id: 2, method: 'app.hello', params: {} });
    ipc.listener!({ sender: window, senderFrame: { url: 'app://loopstage/' } }, { t: 'call', id: 3, method: 'transport.locate', params: { position: 'soon' } });
    await flush();
    expect(host.refused).toBe(2);
    expect(stranger.sent).toEqual([]);
    expect(window.sent).toEqual([{ t: 'error', id: 3, error: expect.objectContaining({ code: 'RPC_INVALID_PARAMS' }) }]);
  });
});
