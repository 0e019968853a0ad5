# The Neliti data plane service. Built by docker-compose.yml; runs `npm start` (tsx) on Node 20.
FROM node:20-bookworm-slim
WORKDIR /app
# node-gyp needs these to build argon2 from source (its prebuilt Linux binary is not trusted here).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json buf.yaml buf.gen.yaml ./
COPY proto ./proto
COPY gen ./gen
COPY src ./src
COPY migrations ./migrations
ENV HOST=0.0.0.0 PORT=50051 DATA_DIR=/data NODE_ENV=production
VOLUME ["/data"]
EXPOSE 50051
CMD ["npx", "tsx", "src/main.ts"]
