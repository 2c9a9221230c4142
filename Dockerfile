# Multi-stage: compile TypeScript to JavaScript once (npm run build, swc), then a runtime image
# with production dependencies and dist/ only. docker-compose.yml picks the command per service:
#   api     node dist/apps/api/src/main.js        (the default below)
#   worker  node dist/apps/worker/src/main.js
#   migrate node dist/scripts/migrate.js
# node is PID 1 and handles SIGTERM itself (graceful stop: jobs in hand finish).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .swcrc tsconfig.base.json tsconfig.json prisma.config.ts ./
COPY apps apps
COPY libs libs
COPY prisma prisma
COPY scripts scripts
COPY bin bin
# Install scripts run here (the Prisma client is generated into libs/db/src/generated).
RUN npm ci --no-audit --no-fund
RUN npm run build
# Development-only packages (embedded Postgres, compilers, test tools) stay in this stage.
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/apps/api/src/main.js"]
