/**
 * A stream that fails by itself is reopened by the engine, on `loopstage serve` with the audio rig:
 * the audio process is killed (the one failure the rig can cause on demand), the status says so and
 * that it is reopening, then runs again on the same device and rolls. With the rig gone as well,
 * the reopening gives up after its tries and says what to do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RpcClient } from '../../src/api/rpc.js';
import { connectWebSocket } from '../../src/api/transports/websocket-client.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { findMicReader, startRig, writeRampMic, type Rig } from '../support/rig.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-recovery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Served {
  client: RpcClient;
  rig: Rig;
  pid: number;
  close(): Promise<void>;
}

async function serveOnRig(name: string): Promise<Served> {
  const rig = startRig(2, 48000);
  writeRampMic(rig, 120, 48000, 2);
  const dir = path.join(work, name);
  expect(loopstage(['project', 'create', dir, '--rate', '25', '--sample-rate', '48000']).code).toBe(0);
  const serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'default', '--output', 'default', '--json'], rig.env);
  const url = (JSON.parse(serve.firstLine) as { url: string }).url;
  const { client, socket } = await connectWebSocket(url.replace(/^http/, 'ws').replace(/\/(\?.*)?$/, '/rpc'), (u) => new WebSocket(u) as never);
  return {
    client, rig, pid: serve.child.pid!,
    close: async () => {
      client.close();
      socket.close();
      expect(await stopChild(serve.child)).toBe(0);
      rig.stop();
    },
  };
}

/** Every audio status the engine reports from now on. */
function watchAudio(client: RpcClient): Array<{ state: string; message: string | null; code: string | null }> {
  const seen: Array<{ state: string; message: string | null; code: string | null }> = [];
  client.on('audio.status', (status) => seen.push(status));
  return seen;
}

describe('the engine reopens a stream that failed by itself', () => {
  it('reopens the same device after the audio process dies, says so, and rolls again', { timeout: 60_000 }, async () => {
    const s = await serveOnRig('reopen');
    try {
      expect(await s.client.call('audio.status', {})).toMatchObject({ state: 'running', clockSource: 'audio-device', input: 'default' });
      const seen = watchAudio(s.client);
      const audioProcess = findMicReader(s.pid, s.rig.micFile)!;
      expect(audioProcess).toBeGreaterThan(0);
      process.kill(audioProcess, 'SIGKILL');
      await expect.poll(() => seen.find((status) => status.state === 'failed'), { timeout: 10_000 }).toMatchObject({
        code: 'AUDIO_PROCESS_EXITED',
        message: expect.stringMatching(/stopped unexpectedly \(SIGKILL\); Loopstage is reopening it…$/),
      });
      await expect.poll(() => s.client.call('audio.status', {}), { timeout: 20_000 }).toMatchObject({ state: 'running', input: 'default', clockSource: 'audio-device' }).catch((error: unknown) => {
        throw new Error(`${String(error)}; statuses: ${JSON.stringify(seen.map((status) => [status.state, status.code, status.message]))}`);
      });
      const status = await s.client.call('audio.status', {});
      expect(status.message).toMatch(/at \d\d:\d\d:\d\d; Loopstage reopened it .*calibrate again before recording\.$/);
      // A new audio process reads the rig's input, and the clock rolls on it.
      const reopened = findMicReader(s.pid, s.rig.micFile);
      expect(reopened).not.toBeNull();
      expect(reopened).not.toBe(audioProcess);
      const rolled = await s.client.call('transport.play', {});
      expect(rolled.state).toBe('rolling');
      const before = rolled.position;
      await expect.poll(async () => (await s.client.call('transport.state', {})).position - before, { timeout: 5_000 }).toBeGreaterThan(24_000);
      await s.client.call('transport.stop', {});
    } finally {
      await s.close();
    }
  });

  it('gives up after its tries when the interface is gone, and says what to do', { timeout: 60_000 }, async () => {
    const s = await serveOnRig('gone');
    try {
      const seen = watchAudio(s.client);
      const audioProcess = findMicReader(s.pid, s.rig.micFile)!;
      s.rig.stop();
      process.kill(audioProcess, 'SIGKILL');
      await expect.poll(() => seen.at(-1), { timeout: 40_000, interval: 250 }).toMatchObject({
        state: 'failed',
        code: 'AUDIO_PROCESS_EXITED',
        message: expect.stringMatching(/reopening it failed 3 times \(.+\)\. Check the interface is connected and on, then choose it again under Audio devices\.$/),
      });
      expect(seen.filter((status) => status.state === 'opening')).toHaveLength(3);
      await expect(s.client.call('transport.play', {})).rejects.toMatchObject({ code: expect.stringMatching(/^AUDIO_/) });
    } finally {
      await s.close();
    }
  });
});
