# syntax=docker/dockerfile:1
# One recipe for all six services; the build argument SERVICE picks which one runs:
#   docker build --build-arg SERVICE=vault --build-arg HTTP_PORT=8101 -t vigil/vault .
# docker-compose.yml builds every service this way.

ARG NODE_IMAGE=node:24-bookworm-slim

# The package manifests alone, so the dependency layers below are rebuilt when a
# manifest changes and not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp --parents package.json package-lock.json apps/*/package.json libs/*/package.json /manifests/

# Every project compiled by swc into dist/<projectRoot>/src, with @vigil/* imports
# already rewritten to relative paths.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_TUI=false
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build --skip-nx-cache \
 # What the services read at run time beside their code: SQL migrations, rule and
 # routing files (apps/<service>/ without src/).
 && mkdir -p /assets \
 && tar -c --exclude='apps/*/src' apps | tar -x -C /assets

# Production dependencies only. The `node` devDependency that pins Node 24 for npm
# scripts is dropped here: the runtime image already is Node 24. No package needs
# its install script at run time (they are telemetry and a version notice).
FROM ${NODE_IMAGE} AS prune
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@vigil

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG HTTP_PORT
RUN if [ -z "${SERVICE}" ]; then \
      echo "build argument SERVICE is empty: pass --build-arg SERVICE=<a directory under apps/, e.g. vault>" >&2; exit 1; \
    fi \
 && if ! [ "${HTTP_PORT}" -gt 0 ] 2>/dev/null; then \
      echo "build argument HTTP_PORT is not a port number: pass --build-arg HTTP_PORT=<the service's port, e.g. 8101>" >&2; exit 1; \
    fi
ENV NODE_ENV=production \
    VIGIL_SERVICE=${SERVICE} \
    VIGIL_HTTP_HOST=0.0.0.0 \
    VIGIL_HTTP_PORT=${HTTP_PORT}
WORKDIR /app
COPY --from=prune /app/package.json ./package.json
COPY --from=prune /app/node_modules ./node_modules
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/apps/${SERVICE} ./dist/apps/${SERVICE}
COPY --from=build /assets/apps/ ./apps/
# Files stay owned by root: the service reads its code and never writes it.
USER node
EXPOSE ${HTTP_PORT}
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.VIGIL_HTTP_PORT + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A shell only to expand VIGIL_SERVICE; `exec` hands PID 1 to node so it gets SIGTERM.
CMD ["/bin/sh", "-c", "exec node --enable-source-maps \"dist/apps/${VIGIL_SERVICE}/src/main.js\""]
