# One image for the API and the worker(s); docker-compose.yml picks the command.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The lock records every platform's optional binaries, so `npm ci` installs exactly it; --include=dev because
# NODE_ENV=production would leave out the dashboard's build tools (vite, tailwind) needed below.
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true node prisma/generate.mjs && npx vite build web --logLevel warn
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
