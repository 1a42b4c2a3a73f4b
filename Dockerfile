# Vigil next to production: `docker run -p 9464:9464 vigil` serves /metrics and runs the bundled demo;
# mount a config (docs/deploy.md) to monitor your own app.
#
# The base image is the Playwright release that equals @playwright/test in package-lock.json, so its
# browsers in /ms-playwright are the ones Vigil's Playwright expects (no executablePath override).
# test/operability/dockerfile.test.ts checks that the two versions agree.
# Since Playwright 1.57 this image ships Node.js 24 (NodeSource node_24.x): it runs Vigil's TypeScript
# natively, so there is no build step and no second Node to install.
FROM mcr.microsoft.com/playwright:v1.65.1-noble

# Fail the build, not the first run, if a future base image comes with a Node too old for type stripping.
RUN node -e "const [a,b]=process.versions.node.split('.').map(Number); if (a<22||(a===22&&b<18)) { console.error('Vigil needs Node >= 22.18, the base image has '+process.version); process.exit(1) }"

# tini is PID 1: it forwards SIGTERM to Vigil and reaps the zombies a killed browser leaves behind.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock file changes. TypeScript and @types are
# dev-only; Node strips types at run time.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY src/ src/
COPY demo/ demo/
COPY suites/ suites/
COPY tenants/ tenants/
COPY dashboards/ dashboards/
COPY vigil.example.yaml README.md ./
RUN chmod +x src/cli/vigil.js && ln -s /app/src/cli/vigil.js /usr/local/bin/vigil

# /data holds the store (runs, tenant ledger, export spool) and failure artifacts; it is the working
# directory, so the bundled demo writes /data/data/vigil.db and a config should say `store: /data/vigil.db`.
# Configs go in /etc/vigil (volume or derived image) with VIGIL_CONFIG=/etc/vigil/vigil.yaml.
# /var/cache/vigil is Node's compile cache, filled below.
RUN mkdir -p /data /etc/vigil /var/cache/vigil && chown pwuser:pwuser /data /var/cache/vigil
VOLUME ["/data"]
WORKDIR /data

# JSON logs for the container's log collector even under `docker run -t`.
ENV NODE_ENV=production \
    VIGIL_LOG_FORMAT=json \
    NODE_COMPILE_CACHE=/var/cache/vigil

USER pwuser
# Every container starts from the image's files, so the compile cache has to be in the image: without
# it each start would load Node's TypeScript stripper again (about 23 MB more for the life of `vigil
# serve`; docs/architecture.md, "Start-up and memory"). Same user as the ENTRYPOINT, and the same
# Node flags because both execute the launcher (its shebang holds them): both are part of the cache's key.
RUN /app/src/cli/vigil.js --warm-compile-cache
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/src/cli/vigil.js"]
CMD ["serve", "--listen", "0.0.0.0:9464"]
