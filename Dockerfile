# syntax=docker/dockerfile:1
# Tessera: `docker build -t tessera .` — docs/deploy.md says how to run it (compose.yaml for a fleet).

# Build: the whole workspace (server, client, portal), then only the production dependencies.
FROM node:24-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/client/package.json packages/client/
COPY packages/server/package.json packages/server/
COPY packages/portal/package.json packages/portal/
COPY packages/verify/package.json packages/verify/
# Dependencies first, without the `prepare` build, so this layer is reused until the lockfile changes.
# better-sqlite3 (its native addon) and esbuild are the two install scripts the tree needs.
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn \
 && npm rebuild better-sqlite3 esbuild --loglevel=warn
COPY tsconfig.base.json ./
COPY packages ./packages
# Then only the production dependencies; of better-sqlite3 only its addon (not SQLite's sources and the
# objects of a compile, some 25 MB). A package-local node_modules (npm makes one when versions conflict)
# always exists, empty or not, so that the runtime stage can copy it.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=warn \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node . && rm -rf build deps src \
 && mkdir -p build/Release && mv better_sqlite3.node build/Release/ \
 && cd /src && mkdir -p packages/server/node_modules

# Runtime: slim Debian with Node 24, the active LTS (the same glibc and Node ABI as the build stage, for
# better-sqlite3's addon).
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    TESSERA_DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the server: manifests, production node_modules (its @tessera/* links
# point at the workspace folders below), the built server and the built portal; no sources.
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages/client/package.json packages/client/
COPY --from=build /src/packages/server/package.json packages/server/
COPY --from=build /src/packages/server/bin packages/server/bin
COPY --from=build /src/packages/server/dist packages/server/dist
COPY --from=build /src/packages/server/node_modules packages/server/node_modules
COPY --from=build /src/packages/portal/package.json packages/portal/
COPY --from=build /src/packages/portal/dist packages/portal/dist
# The SQLite store and a generated master key live here (unused with DATABASE_URL and TESSERA_MASTER_KEY).
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
# The `node` user (uid 1000) of the base image: the server cannot write its own code.
USER node
EXPOSE 8080
# Liveness (GET /healthz) with Node itself: the slim image has no curl. Readiness (/readyz) is for the load balancer.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/packages/server/bin/tessera.js"]
CMD ["serve"]
