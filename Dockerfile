# hunt-matcher: one image, any subset of roles (ROLES), configured by environment variables.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies patches/ (patch-package: kafkajs' record encoding, docs/operations.md "The kafkajs patch").
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
# The service checks at start that the installed dependencies carry patches/ (src/platform/patchedDependencies.ts).
COPY patches ./patches
# The operator's console (/ops): plain static files, served as they are.
COPY src/http/console ./src/http/console
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# SIGTERM drains the service (stop taking work, finish the transaction, commit offsets, flush).
# A young generation of 64 MiB per semi-space, as `npm start` runs it (docs/operations.md, "Running in production").
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
