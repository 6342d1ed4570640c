# The ops console (src/console/app) is built with the dev dependencies (Vite) in a stage of its
# own; the image keeps only its output, dist/console.
FROM node:20-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run console:build

# One image for the worker, the API and the sandbox carrier; the command picks the role.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Production dependencies only (tsx runs the TypeScript sources directly).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
COPY --from=console /app/dist/console ./dist/console

USER node
# Containers reach each other over the compose network, not loopback.
ENV HOST=0.0.0.0 \
    DATA_DIR=/tmp/parcelwarden
EXPOSE 3000
CMD ["npm", "run", "worker"]
