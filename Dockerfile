# One image for every Leakwatch service (distributed mode). The service is chosen at run time:
#   docker run -e LEAKWATCH_SERVICE=ingest -e DATABASE_URL=... leakwatch
# TypeScript runs directly through @swc-node/register (tools/register.js), as with `npm start`.
FROM node:20-bookworm-slim

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, so a source change does not reinstall them. A plain `npm ci`: the runtime loads the
# TypeScript sources and tsconfig path aliases, which is the same install `npm start` uses.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node . .

ENV NODE_ENV=production \
    PORT=8080
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "run", "start:service"]
