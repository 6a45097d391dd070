// Prisma CLI settings: the schema is the prisma/schema folder. DATABASE_URL is only read by
// `prisma migrate deploy` / `migrate status`; the app migrates itself at start-up (prisma/migrate.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL },
});
