// The web app's build: React + TypeScript, served by the Qatra server at /app (src/web/web.routes.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist-web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev:web` next to `npm start`: the dev server forwards the API to the real server.
    proxy: { '/api': 'http://localhost:8080', '/v1': 'http://localhost:8080' },
  },
});
