/**
 * Builds the Svelte UI (src/ui) into dist/ui, loadable from Electron (file or custom protocol) and
 * from the headless server alike: relative asset paths, one external script, one external
 * stylesheet — nothing inline, so the hosts' CSP (`script-src 'self'`) holds.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./src/ui'),
  base: './',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: here('./dist/ui'),
    emptyOutDir: true,
    // Never inline assets as data: URLs (a CSP may not allow them); keep every file a file.
    assetsInlineLimit: 0,
    // Every host is a current Chromium or browser with native modulepreload.
    modulePreload: { polyfill: false },
  },
});
