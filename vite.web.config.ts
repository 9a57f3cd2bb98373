/**
 * Builds the web page (src/web/) into dist/web/: one HTML file and hashed assets, every byte
 * bundled, relative URLs so any static server (or `tcpstate web`) can serve it from any path.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web/', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/web/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The page must work offline and ask no other host: nothing is inlined from a CDN, and
    // small assets may be inlined as data: URLs.
    assetsInlineLimit: 4096,
  },
});
