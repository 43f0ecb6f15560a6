/**
 * Keyboard helpers: whether a key belongs to the field that has it (text entry, menus, editable
 * content) or to an open dialog, and how a Ctrl shortcut is written here. Which key runs which
 * command is the keymap's (core/keys/keymap.ts, dispatched by lib/shortcuts.svelte.ts).
 */

/** Where keys belong to the field itself: text entry, menus, editable content. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
  }
  return false;
}

/** Whether the key was pressed inside an open dialog (whose keys are its own). */
export function inDialog(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('dialog[open], [role="dialog"]') !== null;
}

export const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** How a Ctrl shortcut is written on this platform: "Ctrl+Z" or "⌘Z". */
export function shortcut(key: string, shift = false): string {
  return MAC ? `${shift ? '⇧' : ''}⌘${key}` : `Ctrl+${shift ? 'Shift+' : ''}${key}`;
}
