/**
 * The desktop shell: one window on the same UI the browser gets, served from app://loopstage with a
 * strict CSP, sandboxed, no Node in the renderer, navigation and new windows blocked, and the engine
 * reached only through the validated IPC host.
 */
import { app, BrowserWindow, ipcMain, net, protocol, session } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findPackageRoot } from '../src/adapters/files/package-root.js';
import { createEngine } from '../src/host/create-engine.js';
import { contentSecurityPolicy } from '../src/server/server.js';
import { APP_ORIGIN } from './channels.js';
import { IpcHost } from './ipc-host.js';

const root = findPackageRoot(fileURLToPath(import.meta.url));
const uiDir = path.join(root, 'dist', 'ui');

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

function projectFromArgs(argv: string[]): string | undefined {
  const index = argv.indexOf('--project');
  return index >= 0 ? argv[index + 1] : process.env.LOOPSTAGE_PROJECT;
}

async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(uiDir, `.${relative}`);
    if (url.host !== 'loopstage' || !file.startsWith(uiDir + path.sep)) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    return new Response(response.body, { status: response.status, headers });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  const engine = createEngine({ echo: (line) => console.log(`[engine] ${line}`) });
  const ipc = new IpcHost(ipcMain, engine);
  const project = projectFromArgs(process.argv);
  if (project) {
    await engine.openProject(path.resolve(project)).catch((error: Error) => console.error(`loopstage: ${error.message}`));
  }

  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    backgroundColor: '#111418',
    title: 'Loopstage',
    webPreferences: {
      preload: path.join(root, 'dist', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  ipc.allow(window.webContents);
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  await window.loadURL(`${APP_ORIGIN}/`);

  app.on('window-all-closed', () => {
    ipc.dispose();
    void engine.close().finally(() => app.quit());
  });
}

void main();
