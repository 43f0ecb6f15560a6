/**
 * Imported first by main.ts, before any schema exists. The hosts enforce a strict CSP with no
 * 'unsafe-eval'; zod would otherwise probe `new Function` when it builds object schemas (to
 * compile fast parsers), and a strict CSP reports that probe as a violation even though zod
 * catches it. jitless skips the probe and parses without generated code.
 */
import { z } from 'zod';

z.config({ jitless: true });

// video.js adds a <style> element when it loads unless told not to; the CSP (style-src 'self')
// would refuse it and report a violation. Its few rules we need are in app.css.
(globalThis as { VIDEOJS_NO_DYNAMIC_STYLE?: boolean }).VIDEOJS_NO_DYNAMIC_STYLE = true;
