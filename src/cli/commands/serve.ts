/** `loopstage serve`: the engine with its UI on 127.0.0.1 (or, opted in, another address with a token). */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findPackageRoot } from '../../adapters/files/package-root.js';
import { LoopstageError } from '../../core/errors.js';
import type { AudioSelection, Engine } from '../../engine/session/engine.js';
import { createEngine } from '../../host/create-engine.js';
import { AUDIO_OPTIONS, audioSelection, engineEcho } from '../audio-options.js';
import { startServer, type RunningServer } from '../../server/server.js';
import type { CliCommand, CliIo } from '../io.js';
import { usageError } from './usage.js';

export const SERVE_USAGE = `usage: loopstage serve [--project DIR] [--port N] [--host ADDR] [--token T]
                       [--input DEVICE --output DEVICE] [--frames-per-buffer N] [--json]
  Serves the Loopstage UI and engine on http://127.0.0.1:7420/ (port 0 picks a free one).
  --host other than 127.0.0.1 lets other devices join, and then every page needs the token.`;

export interface ServeSession {
  readonly engine: Engine;
  readonly server: RunningServer;
  close(): Promise<void>;
}

/** Starts engine and server; used by `serve`, by `npm start`'s fallback and by Electron-less tests. */
export async function startServeSession(options: {
  project?: string;
  port?: number;
  host?: string;
  token?: string;
  audio?: AudioSelection;
  echo?: (line: string) => void;
}): Promise<ServeSession> {
  const engine = createEngine({ echo: options.echo });
  try {
    if (options.project) {
      await engine.openProject(options.project, options.audio);
      const audio = engine.audioStatus;
      if (options.audio && audio.state !== 'running') {
        throw new LoopstageError(audio.code ?? 'AUDIO_OPEN_FAILED', audio.message ?? 'The audio device could not be opened.');
      }
    }
    const server = await startServer({
      engine,
      uiDir: path.join(findPackageRoot(), 'dist', 'ui'),
      host: options.host,
      port: options.port,
      token: options.token,
    });
    return {
      engine,
      server,
      close: async () => {
        await server.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}

export const serveCommand: CliCommand = async (args: string[], io: CliIo) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      port: { type: 'string', default: '7420' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      ...AUDIO_OPTIONS,
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a whole number from 0 to 65535, not "${values.port}".`, SERVE_USAGE);
  const audio = audioSelection(values, SERVE_USAGE);
  if (audio && !values.project) throw usageError('--input and --output need --project.', SERVE_USAGE);

  const session = await startServeSession({
    project: values.project ? path.resolve(io.cwd, values.project) : undefined,
    port,
    host: values.host,
    token: values.token,
    audio,
    echo: engineEcho(io),
  });
  const { server, engine } = session;
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, host: server.host, project: engine.project?.dir ?? null, audio: engine.audioStatus })}\n`);
  } else {
    const title = engine.project ? `"${engine.project.title}"` : 'Loopstage';
    io.stdout.write(`Loopstage is serving ${title} at ${server.url}\n`);
    if (engine.audioStatus.message) io.stdout.write(`Audio: ${engine.audioStatus.message}\n`);
    io.stdout.write('Press Ctrl+C to stop.\n');
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await session.close();
  return 0;
};
