# The genai-cost command for `docker compose up`: built and packed once, then installed from the
# packed packages with their production dependencies only. No chDB (the compose services write to
# the ClickHouse server), no devDependencies, no build when a container starts.
#   docker build -t genai-cost .

FROM node:20.19.5-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY packages ./packages
# Optional dependencies are chDB's 540 MB native engines and tools' native binaries: the build needs none.
RUN npm ci --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm run build --workspaces \
 && mkdir /packs \
 && npm pack --workspaces --ignore-scripts --json --pack-destination /packs > /packs/packs.json

FROM node:20.19.5-bookworm-slim
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
RUN chown node:node /app
USER node
COPY --chown=node:node --from=build /packs ./packs
COPY --chown=node:node docker/npmrc ./.npmrc
COPY --chown=node:node docker/app-package.mjs docker/demo-healthcheck.mjs ./
# The npm cache stays in the image, so `npm ci` in /app reinstalls offline in seconds.
RUN node app-package.mjs packs \
 && npm install \
 && genai-cost --version
CMD ["genai-cost", "demo", "--continuous"]
