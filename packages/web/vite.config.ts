import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The UI is built into dist/ and served by `gasgauge serve` on the API's origin. `npm run dev -w
 * @gasgauge/web` proxies the API to a server on :8787, so cookies stay same-origin in development too.
 */
const api = 'http://127.0.0.1:8787';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/trpc': api, '/api': api, '/auth': api } },
});
