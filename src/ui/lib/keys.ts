/**
 * Keyboard helpers shared by the panels: whether a key belongs to the field that has it (text
 * entry, menus, editable content), and whether a key press is a plain one the app may take.
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

/** A key with no modifier, not typed into a field, not inside a dialog, not already handled. */
export function plainKey(event: KeyboardEvent): boolean {
  return (
    !event.defaultPrevented &&
    !event.ctrlKey &&
    !event.metaKey &&
    !event.altKey &&
    !event.isComposing &&
    !isTyping(event.target) &&
    !inDialog(event.target)
  );
}

/** Ctrl on Windows and Linux, ⌘ on a Mac (either is accepted everywhere). */
export function commandKey(event: KeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey;
}

export const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** How a Ctrl shortcut is written on this platform: "Ctrl+Z" or "⌘Z". */
export function shortcut(key: string, shift = false): string {
  return MAC ? `${shift ? '⇧' : ''}⌘${key}` : `Ctrl+${shift ? 'Shift+' : ''}${key}`;
}
