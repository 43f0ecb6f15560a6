import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../src/core/files/safe-file-name.js';

describe('safeFileName', () => {
  it.each([
    ['Robin Hood: Reel 1/2', 'Robin Hood- Reel 1-2'],
    ['  ..  ', 'Untitled'],
    ['CON', '_CON'],
    ['lpt1.txt', '_lpt1.txt'],
    ['Sides?*<>|"\\', 'Sides-------'],
    ['line\nbreak\ttab', 'linebreaktab'],
    ['ends with dots...', 'ends with dots'],
    ['Émile — “Scène” 12', 'Émile — “Scène” 12'],
  ])('%j → %j', (input, expected) => expect(safeFileName(input)).toBe(expected));

  it('is always a usable name', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (name) => {
      const safe = safeFileName(name);
      expect(safe.length).toBeGreaterThan(0);
      expect([...safe].length).toBeLessThanOrEqual(120);
      // eslint-disable-next-line no-control-regex -- checking that no control character survives
      expect(safe).not.toMatch(/[<>:"/\\|?*\u0000-\u001f]/);
      expect(safe).not.toMatch(/[. ]$/);
      expect(safe).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i);
      expect(safeFileName(safe)).toBe(safe);
    }));
  });
});
