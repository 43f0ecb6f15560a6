/**
 * Finds the calibration sweep in a recording on a worker thread: the cross-correlation takes tens
 * of milliseconds, which on the audio process's own event loop would starve the output (measured:
 * output underflows during every calibration, each one shifting the very round trip being measured).
 */
import { parentPort } from 'node:worker_threads';
import { findSignal, type FindSignalOptions } from '../../core/calibration/latency.js';
import { LoopstageError } from '../../core/errors.js';

export interface CorrelationRequest {
  readonly id: number;
  readonly recorded: Float32Array;
  readonly signal: Float32Array;
  readonly options: FindSignalOptions;
}

export type CorrelationReply =
  | { readonly id: number; readonly ok: true; readonly offset: number; readonly confidence: number; readonly gain: number }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string; readonly details: Record<string, unknown> };

parentPort?.on('message', (request: CorrelationRequest) => {
  let reply: CorrelationReply;
  try {
    const match = findSignal(request.recorded, request.signal, request.options);
    reply = { id: request.id, ok: true, offset: match.offset, confidence: match.confidence, gain: match.gain };
  } catch (error) {
    const e = error instanceof LoopstageError ? error : new LoopstageError('CALIBRATION_FAILED', String(error));
    reply = { id: request.id, ok: false, code: e.code, message: e.message, details: e.details };
  }
  parentPort?.postMessage(reply);
});
