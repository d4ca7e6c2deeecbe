# syntax=docker/dockerfile:1
# Vigil's edge daemon as an image: `docker run IMAGE` is `vigil run`; any other vigil command
# replaces CMD (`docker run IMAGE config check /etc/vigil/vigil.yaml`, `... --help`).
#   build    npm ci (dev dependencies too) and tsc → dist/
#   deps     production dependencies only, onnxruntime-node's binaries cut to this platform
#   runtime  node + dist/ + production node_modules, as the unprivileged `node` user
# Behind a TLS-inspecting proxy pass its CA to npm:
#   --build-arg NPM_CONFIG_CAFILE=/path/in/build/ca.crt (mount or COPY it; see deploy/README.md).
# State lives in the /data volume: the outbox, decider states, the fine-tuned model checkpoints and,
# by convention, the fleet's model file at /data/models/<name>.onnx (deploy/README.md).

FROM node:20-bookworm-slim AS build
ARG NPM_CONFIG_CAFILE
WORKDIR /src
# .npmrc keeps onnxruntime-node-install=skip: no CUDA download at install time.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY agent ./agent
COPY engine ./engine
COPY models ./models
RUN npm run build

FROM node:20-bookworm-slim AS deps
ARG NPM_CONFIG_CAFILE
# platform: keep onnxruntime-node's native library for this image's platform only (vigil predict
# --backend ort keeps working; the package ships 290 MB for five platforms). none: drop it (the
# daemon never loads it; predict --backend ort then says to use --backend engine).
ARG ORT_BINARIES=platform
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && keep="$(node -p 'process.platform + "/" + process.arch')" \
 && for d in node_modules/onnxruntime-node/bin/napi-v*/*/*; do \
      case "$ORT_BINARIES:$d" in platform:*/"$keep") ;; *) rm -rf "$d" ;; esac; \
    done \
 && find node_modules/onnxruntime-node/bin -type d -empty -delete \
 && if [ "$ORT_BINARIES" = none ]; then rm -rf node_modules/onnxruntime-node node_modules/onnxruntime-common; fi

FROM node:20-bookworm-slim AS runtime
# /data: relative state would land in the read-only /app. 0.0.0.0 because a health port on the
# container's loopback is unreachable from the host and from orchestrators' probes.
# Stop budget: the daemon drains for shutdown.deadlineMs (default 8000) and the CLI allows 1 s
# more before it exits, which fits docker/podman stop's default 10 s grace before SIGKILL. Raise
# VIGIL_SHUTDOWN_DEADLINE_MS together with --stop-timeout / compose stop_grace_period.
ENV NODE_ENV=production \
    VIGIL_STATE_DIR=/data \
    VIGIL_HTTP_HOST=0.0.0.0
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# /data and /data/models exist, owned by `node`, before VOLUME: a fresh named volume is filled from
# the image with that owner. Code stays root-owned, so the daemon cannot rewrite itself.
RUN mkdir -p /data/models && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
# Liveness: /healthz on the configured port, via loopback when the daemon listens on all interfaces.
# The endpoint opens before the model loads (/readyz says what it is waiting for); the start
# period covers a first start without a model file, which trains the starter model on this CPU.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,h=e.VIGIL_HTTP_HOST,host=!h||h==='0.0.0.0'||h==='::'?'127.0.0.1':h;require('node:http').get({host,port:e.VIGIL_HTTP_PORT||9464,path:'/healthz',timeout:4000},(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (no shell in between to swallow it). `vigil
# run` handles SIGTERM from its first moment, also while the model loads or the starter model
# trains: it drains, saves state and exits 0. No --init needed (it does no harm either).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/agent/cli.js"]
CMD ["run"]
