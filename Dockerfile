# The Tandem worker image used by docker-compose.yml. Workers are stateless: run as many replicas as needed.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
ENV NODE_ENV=production
USER node
# One process, so `docker stop`'s SIGTERM reaches the worker itself (no tsx wrapper in between).
CMD ["node", "--import", "tsx", "src/worker.ts"]
