# Vigil next to production: `docker run --network=host vigil` serves /metrics on :9464 and runs the
# bundled demo; mount a config (docs/deploy.md) to monitor your own app.
#
# Built on Debian, with what Vigil is tested with: Node from the npm registry's node-linux-<arch>
# package at the version package-lock.json pins for the `node` devDependency (the binary `npm ci`
# puts at node_modules/.bin/node for the tests), and Debian's chromium-headless-shell, the browser
# Vigil picks for headless projects where Playwright's own is missing (headed ones run on it too,
# headless). test/operability/dockerfile.test.ts checks the versions against the lock file;
# test/image/image.test.ts builds this file with podman and runs it. No registry but Debian's and
# npm's is needed: `debian:bookworm-slim` can be made with mmdebstrap (docs/deploy.md).
ARG NODE_VERSION=24.21.0
ARG NPM_VERSION=11.19.1

# --- Node and npm, from the npm registry -------------------------------------------------------------
FROM debian:bookworm-slim AS node
ARG NODE_VERSION
ARG NPM_VERSION
ARG TARGETARCH=amd64
# Behind a TLS-inspecting proxy, give the build its CA bundle as a secret (never a layer):
#   --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export CURL_CA_BUNDLE=/run/secrets/ca; fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && case "$TARGETARCH" in amd64) arch=x64 ;; arm64) arch=arm64 ;; *) echo "no Node build for $TARGETARCH" >&2; exit 1 ;; esac \
 && mkdir -p /opt/node/bin /opt/node/lib/node_modules/npm /tmp/node \
 && curl -fsSL "https://registry.npmjs.org/node-linux-$arch/-/node-linux-$arch-$NODE_VERSION.tgz" | tar -xz -C /tmp/node --strip-components=1 \
 && mv /tmp/node/bin/node /opt/node/bin/node \
 && curl -fsSL "https://registry.npmjs.org/npm/-/npm-$NPM_VERSION.tgz" | tar -xz -C /opt/node/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /opt/node/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /opt/node/bin/npx \
 && /opt/node/bin/node -e "if (process.version !== 'v$NODE_VERSION') { console.error('expected Node $NODE_VERSION, got ' + process.version); process.exit(1) }"

# --- Vigil's production dependencies -----------------------------------------------------------------
FROM node AS deps
ENV PATH=/opt/node/bin:$PATH
WORKDIR /app
COPY package.json package-lock.json ./
# TypeScript and @types are dev-only (Node strips types at run time); so is the `node` package: the
# binary above is the same one. No install scripts: none of the production dependencies needs one.
RUN --mount=type=secret,id=ca \
    if [ -f /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf /root/.npm

# --- The image ---------------------------------------------------------------------------------------
FROM debian:bookworm-slim
# Given by the build (docs/deploy.md): `--build-arg VERSION=$(node -p "require('./package.json').version")
# --build-arg REVISION=$(git rev-parse HEAD)`. Without them the labels are empty and Vigil says
# package.json's version.
ARG VERSION=
ARG REVISION=
ARG SOURCE=https://github.com/vigil-monitoring/vigil
LABEL org.opencontainers.image.title="Vigil" \
      org.opencontainers.image.description="An application's own Playwright suite as production monitoring: Prometheus metrics and Nagios passive results." \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.licenses="Apache-2.0"

# The browser, fonts for real pages (Liberation: metric-compatible with Arial, Times, Courier; emoji),
# CA certificates for HTTPS apps, and tini as PID 1: it forwards SIGTERM to Vigil and reaps the zombies
# a killed browser leaves. apt's caches go in the same layer.
# CHROMIUM_VERSION pins the browser to the one the tests ran with (the CI build passes the host's
# `dpkg-query -W chromium-headless-shell`); empty, the newest Debian has.
ARG CHROMIUM_VERSION=
RUN apt-get update \
 && apt-get install -y --no-install-recommends "chromium-headless-shell${CHROMIUM_VERSION:+=$CHROMIUM_VERSION}" "chromium-common${CHROMIUM_VERSION:+=$CHROMIUM_VERSION}" fonts-liberation fonts-noto-color-emoji ca-certificates tini \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*

COPY --from=node /opt/node/ /usr/local/
# uid 1001, as the Playwright image's pwuser: manifests that set runAsUser keep working.
RUN groupadd --gid 1001 vigil && useradd --uid 1001 --gid vigil --create-home --shell /usr/sbin/nologin vigil

WORKDIR /app
COPY --from=deps /app/node_modules/ node_modules/
COPY package.json package-lock.json README.md vigil.example.yaml ./
COPY src/ src/
COPY demo/ demo/
COPY suites/ suites/
COPY tenants/ tenants/
COPY dashboards/ dashboards/
# The version the image was built as (--build-arg VERSION=…), for `vigil --version`, vigil_build_info
# and the UI footer; package.json's when not given.
RUN chmod +x src/cli/vigil.js && ln -s /app/src/cli/vigil.js /usr/local/bin/vigil \
 && printf '{"version":"%s","revision":"%s"}\n' "$VERSION" "$REVISION" > /app/build-info.json

# /data holds the store (runs, tenant ledger, export spool) and failure artifacts; it is the working
# directory, so the bundled demo writes /data/data/vigil.db and a config should say `store: /data/vigil.db`.
# Configs go in /etc/vigil (volume or derived image) with VIGIL_CONFIG=/etc/vigil/vigil.yaml.
# /var/cache/vigil is Node's compile cache, filled below.
RUN mkdir -p /data /etc/vigil /var/cache/vigil && chown vigil:vigil /data /var/cache/vigil
VOLUME ["/data"]
WORKDIR /data

# JSON logs for the container's log collector even under `docker run -t`.
ENV NODE_ENV=production \
    VIGIL_LOG_FORMAT=json \
    NODE_COMPILE_CACHE=/var/cache/vigil

USER vigil
# Every container starts from the image's files, so the compile cache has to be in the image: without
# it each start would load Node's TypeScript stripper again (about 23 MB more for the life of `vigil
# serve`; docs/architecture.md, "Start-up and memory"). Same user as the ENTRYPOINT, and the same
# Node flags because both execute the launcher (its shebang holds them): both are part of the cache's key.
RUN /app/src/cli/vigil.js --warm-compile-cache
EXPOSE 9464
# On another --listen, set VIGIL_HEALTHCHECK_URL (e.g. http://127.0.0.1:8080/healthz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.VIGIL_HEALTHCHECK_URL || 'http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "/app/src/cli/vigil.js"]
CMD ["serve", "--listen", "0.0.0.0:9464"]
