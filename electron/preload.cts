/**
 * The sandboxed preload: exposes a two-function bridge, never ipcRenderer itself. Sandboxed preloads
 * are CommonJS and cannot require local modules, so the channel names are repeated here (see
 * channels.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
import electron = require('electron');

type IpcRendererEvent = Electron.IpcRendererEvent;
const { contextBridge, ipcRenderer } = electron;

const CALL_CHANNEL = 'loopstage:call';
const MESSAGE_CHANNEL = 'loopstage:message';

contextBridge.exposeInMainWorld('loopstage', {
  send(message: unknown): void {
    ipcRenderer.send(CALL_CHANNEL, message);
  },
  subscribe(handler: (message: unknown) => void): () => void {
    const listener = (_event: IpcRendererEvent, message: unknown) => handler(message);
    ipcRenderer.on(MESSAGE_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(MESSAGE_CHANNEL, listener);
    };
  },
});
