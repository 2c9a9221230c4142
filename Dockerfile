# One image for the api and worker services (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .swcrc tsconfig.base.json tsconfig.json prisma.config.ts ./
COPY apps apps
COPY libs libs
COPY prisma prisma
COPY scripts scripts
COPY bin bin
RUN npm ci --no-audit --no-fund && npm cache clean --force
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
