import { LoopstageError } from '../../core/errors.js';

/** A usage mistake: exit code 2 and the usage text, as Unix tools do. */
export function usageError(message: string, usage: string): LoopstageError {
  return new LoopstageError('CLI_USAGE', message, { usage });
}
