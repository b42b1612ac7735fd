# One image for every Leakwatch service (distributed mode). The service is chosen at run time:
#   docker run -e LEAKWATCH_SERVICE=ingest -e DATABASE_URL=... leakwatch
# TypeScript runs directly through @swc-node/register (tools/register.js), as with `npm start`.
FROM node:22.20.0-bookworm-slim

WORKDIR /app
# npm 11 (Node 22's image ships npm 10): package.json's allowScripts, which keeps install scripts such as
# node-rdkafka's native build off, is an npm 11 setting (`engines.npm` asks for it too).
RUN npm install -g npm@11.19.1 && npm cache clean --force
RUN chown node:node /app
USER node

# Dependencies first, so a source change does not reinstall them. Production dependencies only: the runtime
# loads the TypeScript sources through @swc-node/register (TypeScript itself is its peer), and the web console
# is bundled at start-up by esbuild — those are production dependencies; test tools and linters are not.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node . .

ENV NODE_ENV=production \
    PORT=8080
EXPOSE 8080

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "run", "start:service"]
