import type { Readable, Writable } from 'node:stream';

/** What a CLI command may touch, so commands run the same from the binary and from tests. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A command returns its process exit code; it never calls process.exit itself. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
