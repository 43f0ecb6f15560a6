/**
 * The keyboard, as one mechanism: the window's single key handler looks each press up in the
 * keymap (core/keys/keymap: defaults plus the operator's changes, kept with the project) and runs
 * the command's handler. Components say what a command does (`useCommand`), never which key runs
 * it, so the shortcuts panel can rebind any of them and what it shows is what the keys do.
 */
import { getContext, setContext, untrack } from 'svelte';
import type { ApiError } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import {
  bindingsOf,
  chordOf,
  cleanOverrides,
  COMMANDS,
  formatChord,
  lookupOf,
  rebind,
  resetCommand,
  type CommandId,
  type KeymapOverrides,
} from '../../core/keys/keymap.js';
import { LoopstageError } from '../../core/errors.js';
import { engineCall } from './engine-call.js';
import { inDialog, isTyping, MAC } from './keys.js';
import type { SessionState } from './session.svelte.js';

/** Runs a command; returns false when it does not apply now (the key then does what it would). */
export type CommandHandler = (event: KeyboardEvent) => boolean | void;

export class ShortcutState {
  readonly #session: SessionState;
  #client: RpcClient | null = null;
  #token = 0;
  /** The key whose keydown ran a command, until its keyup. */
  #taken: string | null = null;
  /** Handlers per command; the newest registered runs first, and may pass with `false`. Read only by key presses, so not reactive. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #handlers = new Map<CommandId, CommandHandler[]>();

  /** The operator's changes from the default keys. */
  overrides = $state.raw<KeymapOverrides>({});
  /** Each command's keys as they work now. */
  bindings = $derived(bindingsOf(this.overrides));
  readonly #lookup = $derived(lookupOf(this.bindings));
  /** Whether the keymap can be changed (it is kept with the project, so one must be open). */
  editable = $derived.by(() => this.#session.project !== null && this.#session.client !== null);
  /** The command waiting for a key press in the shortcuts panel (keys do nothing else meanwhile). */
  capturing = $state<CommandId | null>(null);
  error = $state.raw<ApiError | null>(null);
  busy = $state(0);

  constructor(session: SessionState) {
    this.#session = session;
  }

  /** Call once while the app initialises: loads the project's keymap and takes the window's keys. */
  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      // Per project opened, not per change of its settings (which would drop the keys for a moment).
      const key = this.#session.project ? `${this.#session.project.dir}\u0000${this.#session.project.createdAt}` : null;
      this.#client = client;
      untrack(() => void this.#load(client && key !== null ? client : null));
    });
    $effect(() => {
      const down = (event: KeyboardEvent) => this.keydown(event);
      const up = (event: KeyboardEvent) => this.keyup(event);
      window.addEventListener('keydown', down);
      window.addEventListener('keyup', up);
      return () => {
        window.removeEventListener('keydown', down);
        window.removeEventListener('keyup', up);
      };
    });
  }

  /** Says what a command does while the calling component lives (call during its initialisation). */
  on(command: CommandId, handler: CommandHandler): void {
    $effect(() => {
      const list = this.#handlers.get(command) ?? [];
      list.push(handler);
      this.#handlers.set(command, list);
      return () => {
        const at = list.indexOf(handler);
        if (at >= 0) list.splice(at, 1);
      };
    });
  }

  /** The first key of a command as this platform writes it ("Shift+R", "⌘Z"), or "" when unbound. */
  label(command: CommandId): string {
    const chord = this.bindings[command][0];
    return chord === undefined ? '' : formatChord(chord, MAC);
  }

  /** A command's keys for `aria-keyshortcuts` ("Shift+R Control+Y"), or undefined when unbound. */
  aria(command: CommandId): string | undefined {
    const keys = this.bindings[command].map((chord) => chord.replace(/^Mod\+/, MAC ? 'Meta+' : 'Control+'));
    return keys.length > 0 ? keys.join(' ') : undefined;
  }

  /** The command a key press runs here, if any (it is in the keymap and allowed where the key was pressed). */
  commandFor(event: KeyboardEvent): CommandId | null {
    if (event.isComposing || this.capturing !== null || inDialog(event.target)) return null;
    const chord = chordOf(event);
    const command = chord === null ? undefined : this.#lookup.get(chord);
    if (!command) return null;
    if (COMMANDS[command].scope === 'plain' && isTyping(event.target)) return null;
    return (this.#handlers.get(command)?.length ?? 0) > 0 ? command : null;
  }

  keydown(event: KeyboardEvent): void {
    if (event.defaultPrevented) return;
    const command = this.commandFor(event);
    if (!command) return;
    if (event.repeat && !('repeats' in COMMANDS[command])) {
      event.preventDefault(); // a held key neither repeats the command nor types into the page
      return;
    }
    const handlers = this.#handlers.get(command) ?? [];
    for (let i = handlers.length - 1; i >= 0; i--) {
      if (handlers[i]!(event) !== false) {
        event.preventDefault();
        this.#taken = event.key;
        return;
      }
    }
  }

  /** A key a command took on its way down is not also a button's (Space activates buttons on keyup). */
  keyup(event: KeyboardEvent): void {
    if (this.#taken !== null && event.key === this.#taken) {
      event.preventDefault();
      this.#taken = null;
    }
  }

  /** Binds `chords` to `command` (other commands give them up) and keeps the change with the project. */
  bind(command: CommandId, chords: readonly string[]): Promise<boolean> {
    return this.#save(rebind(this.overrides, command, chords));
  }

  reset(command: CommandId): Promise<boolean> {
    return this.#save(resetCommand(this.overrides, command));
  }

  resetAll(): Promise<boolean> {
    return this.#save({});
  }

  dismissError(): void {
    this.error = null;
  }

  async #save(next: KeymapOverrides): Promise<boolean> {
    const before = this.overrides;
    this.overrides = next; // the keys work at once; the project keeps them a moment later
    const saved = await engineCall(this, this.#client, { code: 'KEYMAP_NO_PROJECT', message: 'Open a project first: the keyboard map is kept with the project.' }, (error) => (this.error = error), async (client) => {
      this.overrides = cleanOverrides(await client.call('session.setKeymap', { overrides: next as Record<string, string[]> }));
    });
    if (!saved) this.overrides = before;
    return saved;
  }

  async #load(client: RpcClient | null): Promise<void> {
    const token = ++this.#token;
    this.overrides = {};
    if (!client) return;
    try {
      const stored = await client.call('session.keymap', {});
      if (token === this.#token) this.overrides = cleanOverrides(stored);
    } catch {
      // The project closed on the way: the defaults hold until the next one opens.
    }
  }
}

const SHORTCUTS = Symbol('loopstage.shortcuts');

export function setShortcuts(shortcuts: ShortcutState): ShortcutState {
  return setContext(SHORTCUTS, shortcuts);
}

export function useShortcuts(): ShortcutState {
  const shortcuts = getContext<ShortcutState | undefined>(SHORTCUTS);
  if (!shortcuts) throw new LoopstageError('UI_NO_SHORTCUTS', 'A panel with shortcuts was shown outside the app; this is a bug in the UI.');
  return shortcuts;
}

/** Says what commands do while the calling component lives. */
export function useCommands(handlers: Partial<Record<CommandId, CommandHandler>>): void {
  const shortcuts = useShortcuts();
  for (const [command, handler] of Object.entries(handlers) as [CommandId, CommandHandler][]) shortcuts.on(command, handler);
}
