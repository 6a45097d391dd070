import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API (Fastify) serves the built dashboard from web/dist and the REST API under /api;
// in dev and preview the same paths are proxied to it so the browser code is identical.
const api = { '/api': 'http://127.0.0.1:3000' };

export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss()],
  server: { proxy: api },
  preview: { proxy: api },
  build: { outDir: 'dist', emptyOutDir: true },
});
