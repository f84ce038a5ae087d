# syntax=docker/dockerfile:1
# Portside API image. tsx runs the TypeScript sources directly (it is a runtime dependency), so there
# is no build stage: the image holds production dependencies and core/, adapters/, composition/.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# argon2's install script (allowed in package.json's allowScripts) uses its prebuilt binary when it
# loads and compiles from source when it does not (see docs/decisions.md): the toolchain is here, in
# the build stage only, so the final image carries no compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The sources are not here yet, so the root postinstall (the embedded database template) prints one
# "not prepared" line and goes on: the final stage prepares the template once the sources are in.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the app user: the process can write only to DATA_DIR.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY core ./core
COPY adapters ./adapters
COPY composition ./composition
# The migrated template of the embedded database (node_modules/.cache/portside, read-only like the
# rest of /app): a container's first start on an empty /data copies it instead of running initdb.
RUN node --import tsx composition/main/prepare-embedded.ts
RUN mkdir -p /data && chown node:node /data
USER node
# The embedded database, local-disk objects and the generated JWT key (outside production) live here.
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm: npm does not pass SIGTERM on, and the graceful shutdown needs it.
CMD ["node", "--import", "tsx", "composition/main/server.ts"]
