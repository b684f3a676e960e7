# syntax=docker/dockerfile:1
# mj-bridge: build once (sqlite3 compiles here), run as the unprivileged `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The SQLite driver compiles during install.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev
COPY tsconfig.json ./
COPY src ./src
COPY commands ./commands
COPY scripts/deploy-commands.ts ./scripts/deploy-commands.ts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8787 \
    STORE_URL=sqlite:///app/data/bot.sqlite
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same Node flags as `npm start` (see package.json).
CMD ["node", "--single-threaded-gc", "--max-semi-space-size=4", "--max-old-space-size=128", "--import", "tsx", "src/index.ts"]
