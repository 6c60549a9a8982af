# The maspo worker image: compiled TypeScript on Node 20, production dependencies only.
#   docker build -t maspo-worker .        (docker-compose.yml builds it as the `worker` service)
#   docker run --rm -e TEMPORAL_ADDRESS=host:7233 -e OPENAI_API_KEY maspo-worker
# The worker reaches Temporal through TEMPORAL_ADDRESS (+ TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*),
# never through an embedded server, so the image carries no Temporal CLI.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script would compile before the sources are copied; dependencies need no install
# scripts (the Temporal core bridge and swc ship prebuilt binaries).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
# python3 runs the code benchmarks' tests in the grader's sandbox (activities/graders/code-sandbox.ts).
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
# Heap limit and malloc arenas: the worker's peak memory (workers/process-env.ts explains the figures).
ENV NODE_ENV=production \
    MASPO_HOME=/data \
    MALLOC_ARENA_MAX=2 \
    NODE_OPTIONS=--max-old-space-size=1024
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/examples ./examples
RUN mkdir -p /data && chown node:node /data
# the image's unprivileged `node` user (uid 1000)
USER 1000:1000
ENTRYPOINT ["node", "bin/maspo.js"]
CMD ["worker"]
