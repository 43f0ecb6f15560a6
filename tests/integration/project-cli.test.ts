/**
 * `loopstage project …` run in-process with PassThrough streams against real project folders.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/adapters/sqlite/database.js';
import { latestVersion, loadMigrations } from '../../src/adapters/sqlite/migrations.js';
import { makeProjectCommand, projectCommand } from '../../src/cli/commands/project.js';
import type { CliIo } from '../../src/cli/io.js';

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-cli-'));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: string[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => chunks.push(chunk));
  return () => chunks.join('');
}

async function run(args: string[], command = projectCommand): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: {}, cwd: tmp };
  const code = await command(args, io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out(), stderr: err() };
}

/** Exit ≠ 0, and stderr is a single line: `loopstage: ` and one sentence. */
function expectOneSentence(result: Run): string {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.split('\n');
  expect(lines).toHaveLength(2); // the sentence and the final newline
  expect(lines[1]).toBe('');
  const line = lines[0]!;
  expect(line).toMatch(/^loopstage: \S.*\.$/);
  expect(line.slice('loopstage: '.length, -1)).not.toMatch(/[.!?]\s+[A-Z]/); // no second sentence
  return line;
}

/** A failed `--json` run also prints {"error":{"code","message"}} on stdout. */
function jsonError(result: Run): { code: string; message: string } {
  const parsed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(result.stderr).toBe(`loopstage: ${parsed.error.message}\n`);
  return parsed.error;
}

describe('loopstage project', () => {
  it('creates a project, then prints its info as JSON', async () => {
    const created = await run(['create', 'film', '--title', 'The Long Night', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const dir = path.join(tmp, 'film');
    const expected = {
      title: 'The Long Night',
      frameRate: '24',
      sampleRate: 48000,
      start: 3600 * 48000,
      startTimecode: '01:00:00:00',
      schemaVersion: latestVersion(loadMigrations()),
      dir,
    };
    expect(JSON.parse(created.stdout)).toMatchObject(expected);
    expect(readdirSync(dir).sort()).toEqual(['exports', 'logs', 'picture', 'project.db', 'takes']);

    const info = await run(['info', 'film', '--json']);
    expect(info).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(info.stdout) as Record<string, unknown>;
    expect(json).toEqual({ ...expected, createdAt: json['createdAt'] });
    expect(Object.keys(json)).toEqual([
      'title',
      'frameRate',
      'sampleRate',
      'start',
      'startTimecode',
      'schemaVersion',
      'createdAt',
      'dir',
    ]);
    expect(new Date(json['createdAt'] as string).toISOString()).toBe(json['createdAt']);

    const text = await run(['info', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('The Long Night');
    expect(text.stdout).toContain('01:00:00:00');
  });

  it('takes rate, sample rate and start, stamps the injected clock, and titles by folder name', async () => {
    const command = makeProjectCommand({ now: () => new Date('2024-05-01T10:00:00.000Z') });
    const created = await run(
      ['create', 'reel-2', '--rate', '29.97DF', '--sample-rate', '96000', '--start', '00:59:59;28', '--json'],
      command,
    );
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({
      title: 'reel-2',
      frameRate: '29.97df',
      sampleRate: 96000,
      startTimecode: '00:59:59;28',
      createdAt: '2024-05-01T10:00:00.000Z',
    });
    // The default start follows the rate's separator.
    const df = await run(['create', 'df', '--rate', '59.94df', '--json'], command);
    expect(JSON.parse(df.stdout)).toMatchObject({ startTimecode: '01:00:00;00' });
  });

  it('prints help', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('loopstage project create DIR');
  });

  describe('refuses bad input with exit ≠ 0 and one sentence on stderr', () => {
    it('a corrupt project.db', async () => {
      mkdirSync(path.join(tmp, 'bad'));
      writeFileSync(path.join(tmp, 'bad', 'project.db'), randomBytes(8192));
      const result = await run(['info', 'bad', '--json']);
      expect(result.code).toBe(1);
      expectOneSentence(result);
      expect(jsonError(result).code).toBe('PROJECT_DB_CORRUPT');
    });

    it('a project from a newer Loopstage', async () => {
      expect((await run(['create', 'film'])).code).toBe(0);
      const db = await Database.open(path.join(tmp, 'film', 'project.db'), { mode: 'readwrite' });
      await db.exec('PRAGMA user_version = 99');
      await db.close();
      const result = await run(['info', 'film', '--json']);
      expect(result.code).toBe(1);
      expect(expectOneSentence(result)).toContain('newer Loopstage (schema 99');
      expect(jsonError(result).code).toBe('PROJECT_SCHEMA_NEWER');
    });

    it('an unknown frame rate', async () => {
      const result = await run(['create', 'film', '--rate', '29']);
      expect(result.code).toBe(1);
      expect(expectOneSentence(result)).toContain('"29" is not a frame rate');
      expect(result.stdout).toBe('');
      expect(readdirSync(tmp)).toEqual([]);
      expect(jsonError(await run(['create', 'film', '--rate', '29', '--json'])).code).toBe('RATE_UNKNOWN');
    });

    it('a missing folder', async () => {
      const result = await run(['info', 'nowhere']);
      expect(result.code).toBe(1);
      expect(expectOneSentence(result)).toContain(path.join(tmp, 'nowhere'));
      expect(jsonError(await run(['info', 'nowhere', '--json'])).code).toBe('PROJECT_NOT_FOUND');
      expect(readdirSync(tmp)).toEqual([]);
    });

    it('an existing project, a bad sample rate, a bad start', async () => {
      expect((await run(['create', 'film'])).code).toBe(0);
      const cases: Array<[string[], string]> = [
        [['create', 'film'], 'PROJECT_EXISTS'],
        [['create', 'x', '--sample-rate', 'abc'], 'PROJECT_SETTINGS_INVALID'],
        [['create', 'x', '--sample-rate', '22050'], 'PROJECT_SETTINGS_INVALID'],
        [['create', 'x', '--start', '25:00:00:00'], 'TC_OUT_OF_RANGE'],
        [['create', 'x', '--start', '1h'], 'TC_SYNTAX'],
        [['create', 'x', '--title', ''], 'PROJECT_SETTINGS_INVALID'],
      ];
      for (const [args, code] of cases) {
        const result = await run([...args, '--json']);
        expect(result.code, args.join(' ')).toBe(1);
        expectOneSentence(result);
        expect(jsonError(result).code, args.join(' ')).toBe(code);
      }
      expect(readdirSync(tmp)).toEqual(['film']);
    });

    it('bad usage exits 2', async () => {
      for (const args of [
        [],
        ['frobnicate'],
        ['info'],
        ['info', 'a', 'b'],
        ['info', 'film', '--verbose'],
        ['create', 'film', '--title'],
      ]) {
        const result = await run(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(expectOneSentence(result)).toContain('loopstage project --help');
      }
      const json = await run(['info', '--json']);
      expect(json.code).toBe(2);
      expect(jsonError(json).code).toBe('USAGE');
    });
  });
});
