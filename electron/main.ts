/**
 * The desktop shell: one window on the same UI the browser gets, served from app://loopstage with a
 * strict CSP, sandboxed, no Node in the renderer, navigation and new windows blocked, and the engine
 * reached only through the validated IPC host.
 */
import { app, BrowserWindow, ipcMain, Menu, net, protocol, session } from 'electron';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findPackageRoot } from '../src/adapters/files/package-root.js';
import { createEngine } from '../src/host/create-engine.js';
import { isMediaPath, mediaFileFor } from '../src/host/media.js';
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
  const engine = createEngine({ echo: (line) => console.log(`[engine] ${line}`) });
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.host === 'loopstage' && isMediaPath(url.pathname)) {
      // A picture the engine names, with the request's Range header passed on for seeking.
      const media = await mediaFileFor(engine, url.pathname);
      return media ? net.fetch(pathToFileURL(media).href, { headers: request.headers }) : new Response('not found', { status: 404 });
    }
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(uiDir, `.${relative}`);
    if (url.host !== 'loopstage' || !file.startsWith(uiDir + path.sep)) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy());
    return new Response(response.body, { status: response.status, headers });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  const ipc = new IpcHost(ipcMain, engine);
  const project = projectFromArgs(process.argv);
  if (project) {
    await engine.openProject(path.resolve(project)).catch((error: Error) => console.error(`loopstage: ${error.message}`));
  }

  /** A window on the UI with the same locked-down web preferences, its IPC allowed, navigation blocked. */
  const open = async (query: string, title: string, size: { width: number; height: number }): Promise<BrowserWindow> => {
    const made = new BrowserWindow({
      ...size,
      backgroundColor: '#111418',
      title,
      webPreferences: {
        preload: path.join(root, 'dist', 'electron', 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    ipc.allow(made.webContents);
    made.webContents.on('will-navigate', (event) => event.preventDefault());
    made.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    await made.loadURL(`${APP_ORIGIN}/${query}`);
    return made;
  };

  // The talent's screen: a second window (picture, line, recording state), for the monitor in the booth.
  let talent: BrowserWindow | null = null;
  const openTalent = async () => {
    if (talent && !talent.isDestroyed()) return talent.focus();
    talent = await open('?screen=talent', 'Loopstage — talent', { width: 1280, height: 800 });
    talent.on('closed', () => (talent = null));
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: process.platform === 'darwin' ? 'appMenu' : 'fileMenu' },
      { role: 'editMenu' },
      { label: 'Window', submenu: [{ label: 'Talent Screen', accelerator: 'CmdOrCtrl+Shift+T', click: () => void openTalent() }, { role: 'minimize' }, { role: 'togglefullscreen' }] },
    ]),
  );

  await open('', 'Loopstage', { width: 1280, height: 820 });

  app.on('window-all-closed', () => {
    ipc.dispose();
    void engine.close().finally(() => app.quit());
  });
}

void main();
