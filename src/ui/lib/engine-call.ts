/** How every UI state class calls the engine: busy while it runs, failures as `{code, message}`. */
import type { ApiError } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import { LoopstageError } from '../../core/errors.js';

/** Any failure as the `{code, message}` people see. */
export function toUiError(error: unknown): ApiError {
  if (error instanceof LoopstageError) return { code: error.code, message: error.message };
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'UI_UNEXPECTED', message: `Something unexpected went wrong (${detail}). Reload the page; if it happens again, report it with the log.` };
}

/**
 * Runs `work` with the client, counting it in `owner.busy`. Without a client, `notConnected` (if
 * any) is reported; a failure is reported through `fail`. Resolves whether the work succeeded.
 */
export async function engineCall(
  owner: { busy: number },
  client: RpcClient | null | undefined,
  notConnected: ApiError | null,
  fail: (error: ApiError) => void,
  work: (client: RpcClient) => Promise<void>,
): Promise<boolean> {
  if (!client) {
    if (notConnected) fail(notConnected);
    return false;
  }
  owner.busy++;
  try {
    await work(client);
    return true;
  } catch (error) {
    fail(toUiError(error));
    return false;
  } finally {
    owner.busy--;
  }
}
