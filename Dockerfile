# Gas Gauge from its npm package. Make the tarball first (exactly one gasgauge-*.tgz here), then the image:
#   npm run pack && docker build -t gasgauge .
#   docker run -p 8787:8787 -v gasgauge-data:/data gasgauge
ARG NODE_VERSION=20

# Install the package globally; better-sqlite3 is compiled here if no prebuilt binary fits (the full
# image has python3, make and g++). npm puts the package's dependencies inside its own folder.
FROM node:${NODE_VERSION}-bookworm AS install
COPY gasgauge-*.tgz /tmp/
RUN npm install --global --no-audit --no-fund /tmp/gasgauge-*.tgz

# The runtime: Node and the installed package only, run by the image's unprivileged `node` user.
FROM node:${NODE_VERSION}-bookworm-slim
COPY --from=install /usr/local/lib/node_modules/gasgauge /usr/local/lib/node_modules/gasgauge
RUN ln -s ../lib/node_modules/gasgauge/lib/gasgauge.js /usr/local/bin/gasgauge \
  && mkdir /data /backups && chown node:node /data /backups
USER node
# Backups go outside the data dir (`backup` refuses one inside): a volume mounted here, owned by `node` like /data.
# The working directory stays /, so every command's default data dir (./data) is this volume.
VOLUME /data
EXPOSE 8787
# The slim image has no curl: Node's fetch asks the server's health route.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8787/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["gasgauge"]
# 0.0.0.0: reachable through the published port. SIGTERM (docker stop) closes the server cleanly.
CMD ["serve", "--data", "/data", "--host", "0.0.0.0", "--port", "8787"]
