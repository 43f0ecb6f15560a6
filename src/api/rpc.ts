/**
 * The RPC that carries the contract over any transport (WebSocket, Electron IPC, in-memory).
 * Messages are plain JSON; every incoming message is validated before anything acts on it.
 */
import { z } from 'zod';
import { LoopstageError } from '../core/errors.js';
import {
  events,
  methods,
  type ApiError,
  type ApiHandlers,
  type EventName,
  type EventPayload,
  type MethodName,
  type Params,
  type Result,
} from './contract.js';

const callId = z.number().int().nonnegative();
export const callMessageSchema = z.object({ t: z.literal('call'), id: callId, method: z.string().max(64), params: z.unknown() });
const resultMessageSchema = z.object({ t: z.literal('result'), id: callId, result: z.unknown() });
const errorMessageSchema = z.object({ t: z.literal('error'), id: callId, error: z.object({ code: z.string(), message: z.string() }) });
const eventMessageSchema = z.object({ t: z.literal('event'), name: z.string(), payload: z.unknown() });

export type CallMessage = z.infer<typeof callMessageSchema>;
export type ReplyMessage = z.infer<typeof resultMessageSchema> | z.infer<typeof errorMessageSchema>;
export type EventMessage = z.infer<typeof eventMessageSchema>;
export type ServerMessage = ReplyMessage | EventMessage;
const serverMessageSchema = z.discriminatedUnion('t', [resultMessageSchema, errorMessageSchema, eventMessageSchema]);

function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'value'}: ${issue.message}`)
    .join('; ');
}

/** Turns anything a handler threw into the wire error: LoopstageErrors keep their code and sentence. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof LoopstageError) return { code: error.code, message: error.message };
  return {
    code: 'INTERNAL',
    message: `Loopstage hit an unexpected problem (${error instanceof Error ? error.message : String(error)}); the log has details.`,
  };
}

/** Host side: validates a call, runs the handler, validates and returns the reply. */
export class RpcDispatcher {
  constructor(private readonly handlers: ApiHandlers) {}

  async dispatch(raw: unknown): Promise<ReplyMessage | null> {
    const envelope = callMessageSchema.safeParse(raw);
    if (!envelope.success) return null; // not a call: nothing to answer, and no id to answer to
    const { id, method, params } = envelope.data;
    if (!isMethodName(method)) {
      return { t: 'error', id, error: { code: 'RPC_UNKNOWN_METHOD', message: `There is no method "${method}"; the UI and engine versions may differ.` } };
    }
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      return { t: 'error', id, error: { code: 'RPC_INVALID_PARAMS', message: `The request ${method} was malformed (${describeIssues(parsed.error)}).` } };
    }
    try {
      const handler = this.handlers[method] as (p: unknown) => Promise<unknown>;
      const result = spec.result.parse(await handler(parsed.data));
      return { t: 'result', id, result };
    } catch (error) {
      return { t: 'error', id, error: toApiError(error) };
    }
  }
}

/** Builds a validated event message; a payload that breaks its schema is a bug, so it throws. */
export function eventMessage<E extends EventName>(name: E, payload: EventPayload<E>): EventMessage {
  return { t: 'event', name, payload: events[name].parse(payload) };
}

export interface ClientTransport {
  send(message: CallMessage): void;
  /** Subscribes to messages from the host; returns an unsubscribe function. */
  onMessage(handler: (message: unknown) => void): () => void;
}

type EventHandler<E extends EventName> = (payload: EventPayload<E>) => void;

/** The typed client the UI (and tests) use: `client.call('transport.play', {})`. */
export class RpcClient {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; method: MethodName }>();
  readonly #handlers = new Map<EventName, Set<(payload: unknown) => void>>();
  readonly #detach: () => void;

  constructor(private readonly transport: ClientTransport) {
    this.#detach = transport.onMessage((raw) => this.#receive(raw));
  }

  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = this.#nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      try {
        this.transport.send({ t: 'call', id, method, params });
      } catch (error) {
        this.#pending.delete(id);
        reject(new LoopstageError('RPC_DISCONNECTED', `Loopstage's engine is not connected (${String(error)}); reload the page or restart Loopstage.`));
      }
    });
  }

  on<E extends EventName>(name: E, handler: EventHandler<E>): () => void {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    set.add(handler as (payload: unknown) => void);
    return () => set.delete(handler as (payload: unknown) => void);
  }

  /** Fails every call in flight, e.g. when the connection drops. */
  failPending(code: string, message: string): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(new LoopstageError(code, message));
    }
  }

  close(): void {
    this.#detach();
    this.failPending('RPC_CLOSED', 'The connection to the engine was closed.');
  }

  #receive(raw: unknown): void {
    const parsed = serverMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.t === 'event') {
      const name = message.name as EventName;
      const schema = events[name];
      if (!schema) return;
      const payload = schema.safeParse(message.payload);
      if (!payload.success) return;
      for (const handler of this.#handlers.get(name) ?? []) handler(payload.data);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.t === 'error') {
      pending.reject(new LoopstageError(message.error.code, message.error.message));
      return;
    }
    const result = methods[pending.method].result.safeParse(message.result);
    if (result.success) pending.resolve(result.data);
    else pending.reject(new LoopstageError('RPC_INVALID_RESULT', `The engine's answer to ${pending.method} was malformed; the UI and engine versions may differ.`));
  }
}
