/** The RPC every transport carries: validation, errors as data, typed events. */
import { describe, expect, it } from 'vitest';
import { methods, type ApiHandlers } from '../../src/api/contract.js';
import { eventMessage, RpcDispatcher } from '../../src/api/rpc.js';
import { connectInMemory } from '../../src/api/transports/in-memory.js';
import { LoopstageError } from '../../src/core/errors.js';

const snapshot = { state: 'stopped' as const, position: 48000, streamFrame: 0 };
function handlers(overrides: Partial<ApiHandlers> = {}): ApiHandlers {
  const notUsed = async () => { throw new Error('not used'); };
  const unused = Object.fromEntries(Object.keys(methods).map((name) => [name, notUsed])) as unknown as ApiHandlers;
  return {
    ...unused,
    'app.hello': async () => ({ version: '0.1.0', host: 'test' }),
    'project.current': async () => null,
    'audio.devices': async () => ({ audio: [], midi: [] }),
    'transport.play': async () => ({ ...snapshot, state: 'rolling' }),
    'transport.stop': async () => snapshot,
    'transport.locate': async ({ position }) => ({ ...snapshot, position }),
    'transport.state': async () => snapshot,
    ...overrides,
  };
}

describe('RPC', () => {
  it('carries a typed call and its result', async () => {
    const { client } = connectInMemory(handlers());
    await expect(client.call('transport.locate', { position: 96000 })).resolves.toEqual({ ...snapshot, position: 96000 });
  });

  it('rejects malformed params before the handler runs', async () => {
    let ran = false;
    const dispatcher = new RpcDispatcher(handlers({ 'transport.locate': async () => { ran = true; return snapshot; } }));
    const reply = await dispatcher.dispatch({ t: 'call', id: 1, method: 'transport.locate', params: { position: -5 } });
    expect(reply).toMatchObject({ t: 'error', id: 1, error: { code: 'RPC_INVALID_PARAMS' } });
    const extra = await dispatcher.dispatch({ t: 'call', id: 2, method: 'transport.locate', params: { position: 5, evil: true } });
    expect(extra).toMatchObject({ t: 'error', error: { code: 'RPC_INVALID_PARAMS' } });
    expect(ran).toBe(false);
  });

  it('answers unknown methods and ignores non-calls', async () => {
    const dispatcher = new RpcDispatcher(handlers());
    expect(await dispatcher.dispatch({ t: 'call', id: 3, method: '__proto__', params: {} })).toMatchObject({ error: { code: 'RPC_UNKNOWN_METHOD' } });
    expect(await dispatcher.dispatch({ t: 'call', id: 4, method: 'constructor', params: {} })).toMatchObject({ error: { code: 'RPC_UNKNOWN_METHOD' } });
    expect(await dispatcher.dispatch('garbage')).toBeNull();
  });

  it('carries a LoopstageError as its code and sentence', async () => {
    const { client } = connectInMemory(handlers({
      'transport.play': async () => { throw new LoopstageError('AUDIO_NOT_RUNNING', 'The transport needs a running audio clock.'); },
    }));
    await expect(client.call('transport.play', {})).rejects.toMatchObject({ code: 'AUDIO_NOT_RUNNING', message: 'The transport needs a running audio clock.' });
  });

  it('hides internal errors behind a sentence with code INTERNAL', async () => {
    const { client } = connectInMemory(handlers({ 'transport.play': async () => { throw new TypeError('x is undefined'); } }));
    await expect(client.call('transport.play', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('delivers validated events and drops malformed ones', async () => {
    const { client, publish } = connectInMemory(handlers());
    const seen: number[] = [];
    client.on('transport.changed', (payload) => seen.push(payload.position));
    publish(eventMessage('transport.changed', { ...snapshot, position: 5 }));
    publish({ t: 'event', name: 'transport.changed', payload: { state: 'flying', position: 1, streamFrame: 0 } });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([5]);
    expect(() => eventMessage('transport.changed', { ...snapshot, position: -1 })).toThrow();
  });
});
