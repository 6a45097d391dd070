# One image for the API and the worker(s); docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --no-save --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true node prisma/generate.mjs && npx vite build web --logLevel warn
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
