/**
 * A name from user data made safe as a file name on every common file system (Windows, macOS,
 * Linux, SMB shares): no separators or reserved characters, no control characters, no trailing
 * dots or spaces, not a reserved device name, at most 120 characters. Never empty.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function safeFileName(name: string, fallback = 'Untitled'): string {
  let safe = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[<>:"/\\|?*]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '');
  if (!safe || /^\.+$/.test(safe)) safe = fallback;
  if (RESERVED.test(safe)) safe = `_${safe}`;
  // Cut by code points so a surrogate pair is never split.
  const points = [...safe];
  return points.length > 120 ? points.slice(0, 120).join('').trimEnd() : safe;
}
