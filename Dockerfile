# One image for both roles of the service: `api` (default) and `worker` (see docker-compose.yml).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
# The worker's workflow bundle, built once here rather than by webpack in every worker at start-up.
RUN npm run workflows:bundle -- /app/dist/workflow-bundle.js
RUN mkdir -p /data && chown node:node /data
USER node
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
