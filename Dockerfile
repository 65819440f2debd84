# Production image of the comment-toxicity service.
#
#   docker build -t toxicity .                        # on python:3.11-slim-bookworm
#   .ci/container.sh build                            # daemonless (buildah) on a debootstrapped Debian base
#   docker run -p 8000:8000 -e TOXICITY_WORKERS=2 toxicity
#
# Any base with python3 3.11 works: the official python:*-slim images (python3 in
# /usr/local) and plain Debian bookworm with python3 and python3-venv (python3 in /usr).
# Python 3.11 matches requirements.lock and the interpreter the shipped model was written with.
#
# The default base is pinned by digest, since a tag can be re-pointed: this is the multi-platform
# index python:3.11-slim-bookworm pointed at on 2026-09-19 (Python 3.11.16; amd64, arm64, ...), as
# recorded by the Docker Official Images (docker-library/repo-info, repos/python/remote/
# 3.11-slim-bookworm.md). To move to a newer build (Debian security updates), read the tag's
# current index digest and paste it below, then rebuild and run the container test:
#   docker buildx imagetools inspect python:3.11-slim-bookworm      # the first "Digest:" line
#   skopeo inspect --raw docker://docker.io/library/python:3.11-slim-bookworm | sha256sum
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

# ---- builder: the locked runtime dependencies in a venv --------------------------------
FROM ${BASE_IMAGE} AS builder

# A venv rather than a system install: Debian's python3 refuses `pip install` into
# the system (PEP 668), and a venv at a fixed path copies cleanly into the next stage
# (same base, so its python3 symlink resolves there too).
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Dependencies before code: this layer is rebuilt only when requirements.lock changes.
# Wheels only: slim bases have no compiler, and every locked package ships cp311 wheels.
# --require-hashes: pip installs a file only if its sha256 is in the lock, so a tampered
# index or mirror cannot slip a different build in, and nothing unpinned gets in at all.
# The optional `pip_cert` secret is a CA bundle for builds behind a TLS-re-signing
# proxy (`--secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt`); it is not kept in the image.
COPY requirements.lock /tmp/requirements.lock
RUN --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install --require-hashes --only-binary=:all: --no-deps -r /tmp/requirements.lock \
    && pip check \
    # pip and setuptools are build tools; the running service needs neither.
    && pip uninstall --yes --quiet pip setuptools

# ---- runtime ------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime
# Replaces the labels inherited from the base image.
LABEL org.opencontainers.image.title="toxicity-service" \
      org.opencontainers.image.description="Self-hosted comment-toxicity scoring (native and Perspective-compatible API)" \
      org.opencontainers.image.licenses="MIT"

# A fixed numeric UID, so orchestrators can verify runAsNonRoot without reading /etc/passwd.
# It may write only /var/lib/toxicity (the suggestions database) and /var/cache/toxicity
# (compiled scoring kernels). --no-log-init: a high UID would make a huge sparse lastlog.
RUN useradd --uid 10001 --user-group --no-log-init --home-dir /var/lib/toxicity --no-create-home \
        --shell /usr/sbin/nologin toxicity \
    && install -d -o toxicity -g toxicity -m 0750 /var/lib/toxicity /var/cache/toxicity

COPY --from=builder /opt/venv /opt/venv

# Only what `python -m service` imports: service/ and model/ (with the shipped artifact in
# model/default). training/ is not imported by either and stays out; .dockerignore keeps the
# build context to these paths. Code is owned by root, so the service cannot modify it.
WORKDIR /app
COPY model/ /app/model/
COPY service/ /app/service/
# Compile now: the non-root user cannot write __pycache__ at run time.
RUN /opt/venv/bin/python -m compileall -q /app

# TOXICITY_HOST: listen on all interfaces, or nothing outside the container can connect.
# TOXICITY_WORKERS (default 1) and every other TOXICITY_* setting are read at start-up;
# pass them with `-e`.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TOXICITY_HOST=0.0.0.0 \
    TOXICITY_PORT=8000 \
    TOXICITY_SUGGESTIONS_DB=/var/lib/toxicity/suggestions.sqlite3 \
    NUMBA_CACHE_DIR=/var/cache/toxicity/numba

# Suggestions (comments:suggestscore) are stored durably: mount a volume to keep them.
VOLUME ["/var/lib/toxicity"]
EXPOSE 8000
USER 10001:10001

# Load the shipped model and score once, as the service's user: the build fails here if the
# artifact does not verify against the installed libraries, and numba's compiled kernels land
# in NUMBA_CACHE_DIR, so a container is ready in seconds instead of compiling at each start
# (on a CPU unlike the build machine's, numba recompiles once into the same writable folder).
RUN python -c "from model import load_model; load_model().warm_up()"

# Liveness via the stdlib (slim bases have no curl). It asks the loopback on the configured
# port, which is reachable whether TOXICITY_HOST is 0.0.0.0 or 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TOXICITY_PORT', '8000'), timeout=4)"]

# python -m service checks settings and the model, then runs uvicorn with TOXICITY_WORKERS
# workers; it is PID 1 and handles SIGTERM itself (graceful shutdown).
CMD ["python", "-m", "service"]
