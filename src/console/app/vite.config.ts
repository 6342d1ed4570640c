import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into dist/console and served by the API at /console (src/console/console.routes.ts)
// under a strict CSP: no inline script or style, so no module-preload polyfill snippet either.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    // Fonts and icons stay files too: data: URLs are not worth a CSP exception.
    assetsInlineLimit: 0,
    target: 'es2022',
    // ECharts (about 500 kB) is a chunk of its own, loaded by the analytics page only.
    chunkSizeWarningLimit: 600,
  },
});
