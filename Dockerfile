# One image for the API, the worker(s) and the simulator; docker-compose.yml picks the command.
# Build stage: exact dependencies from the lock file, the Prisma client and the dashboard.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The lock records every platform's optional binaries, so `npm ci` installs exactly it.
RUN npm ci --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true node prisma/generate.mjs && npx vite build web --logLevel warn \
  && node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js \
  && node --import tsx scripts/bundle-worker.ts dist/worker.mjs

# Runtime stage: production dependencies only, run as the unprivileged `node` user.
FROM node:24-bookworm-slim
WORKDIR /app
# The worker loads the workflow bundle built with this image's code instead of running webpack at its start.
ENV NODE_ENV=production DATA_DIR=/app/data WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
COPY --from=build /app/prisma/generated prisma/generated
COPY --from=build /app/web/dist web/dist
COPY --from=build /app/dist dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
