/**
 * Errors as data: every failure a user can meet carries a stable `code` for programs and a
 * `message` that says what happened and what to do. Layers above map them to exit codes,
 * RPC error payloads and UI notices without parsing text.
 */
export class LoopstageError extends Error {
  override readonly name = 'LoopstageError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isLoopstageError(value: unknown): value is LoopstageError {
  return value instanceof LoopstageError;
}
