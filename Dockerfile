# The Tandem worker image used by docker-compose.yml. Workers are stateless: run as many replicas as needed.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
ENV NODE_ENV=production
USER node
CMD ["node_modules/.bin/tsx", "src/worker.ts"]
