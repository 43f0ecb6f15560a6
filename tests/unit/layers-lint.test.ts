/** The layer rule is a failing check, not a convention: each forbidden import is reported. */
import { ESLint } from 'eslint';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId?.startsWith('loopstage/') || m.ruleId?.startsWith('no-restricted')).map((m) => m.message);
}

describe('layer rule', () => {
  it.each([
    ['src/core/time/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;", /Node built-ins/],
    ['src/core/time/x.ts', "import { Engine } from '../../engine/session/engine.js';\nexport const a = Engine;", /may not import engine/],
    ['src/core/time/x.ts', "import { z } from 'zod';\nexport const a = z;", /may not import the package zod/],
    ['src/engine/session/x.ts', "import { SqliteProjectStore } from '../../adapters/sqlite/project-store.js';\nexport const a = SqliteProjectStore;", /may not import adapters/],
    ['src/server/x.ts', "import sqlite3 from 'sqlite3';\nexport const a = sqlite3;", /may load only in src\/adapters/],
    ['src/host/x.ts', "import { createRequire } from 'node:module';\nexport const pa = createRequire(import.meta.url)('naudiodon2');", /may load only in src\/adapters/],
    ['src/ui/lib/x.ts', "import { Engine } from '../../engine/session/engine.js';\nexport const a = Engine;", /may not import engine/],
    ['src/ui/lib/x.ts', "import { startServer } from '../../server/server.js';\nexport const a = startServer;", /may not import server/],
    ['src/ui/lib/x.ts', "import fs from 'node:fs';\nexport const a = fs;", /Node built-ins/],
    ['src/api/x.ts', "import { createEngine } from '../host/create-engine.js';\nexport const a = createEngine;", /may not import host/],
    ['src/core/x.ts', 'export const now = () => Date.now();', /Inject a clock/],
    ['src/engine/x.ts', 'export const r = () => Math.random();', /repeatable/],
  ])('%s: %s', async (file, code, expected) => {
    expect((await layerErrors(file, code)).join('\n')).toMatch(expected);
  });

  it('allows what the layers permit', async () => {
    expect(await layerErrors('src/adapters/audio/x.ts', "import { createRequire } from 'node:module';\nimport { LoopstageError } from '../../core/errors.js';\nexport const pa = createRequire(import.meta.url)('naudiodon2');\nexport const e = LoopstageError;")).toEqual([]);
    expect(await layerErrors('src/ui/lib/x.ts', "import { RpcClient } from '../../api/rpc.js';\nimport { parseFrameRate } from '../../core/time/index.js';\nexport const a = [RpcClient, parseFrameRate];")).toEqual([]);
  });
});
