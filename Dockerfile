# Optimizer Lab: docker build -t optimizer-lab . && docker run -p 8000:8000 optimizer-lab
#
# Build arguments:
#   TORCH_INDEX_URL  PyTorch wheel index given to pip as an extra index. The CPU index is the
#                    default; a CUDA one (e.g. https://download.pytorch.org/whl/cu126) makes a GPU
#                    image. It is never written into requirements.txt.
#   AIRFOIL_URL      where the build fetches the NASA airfoil data. If the fetch or the shape
#                    check fails, the build still succeeds and the app uses its synthetic data set.
#
# Every stage starts from one pinned tag, so the venv built in `builder` finds the same
# /usr/local/bin/python in `runtime`.

FROM python:3.11.14-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1


# Dependencies in a venv; only the venv goes on to the runtime image.
FROM base AS builder
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# torch==2.13.0 matches the index's 2.13.0+cpu (or +cuXXX) wheel, which pip prefers to PyPI's.
RUN /opt/venv/bin/pip install --no-cache-dir --extra-index-url "${TORCH_INDEX_URL}" -r /tmp/requirements.txt


# The data download in a stage of its own: Docker caches it until AIRFOIL_URL changes.
FROM base AS fetch
ARG AIRFOIL_URL=https://archive.ics.uci.edu/ml/machine-learning-databases/00291/airfoil_self_noise.dat
WORKDIR /fetch
RUN python -c 'import shutil, sys, urllib.request; shutil.copyfileobj(urllib.request.urlopen(sys.argv[1], timeout=60), open(sys.argv[2], "wb"))' \
        "${AIRFOIL_URL}" airfoil_self_noise.dat \
    || { echo "WARNING: could not fetch ${AIRFOIL_URL}: the app will use its synthetic data set" >&2; \
         rm -f airfoil_self_noise.dat; }


# The app's own loader checks the file (1503 x 6 numeric); a bad file is dropped, not shipped.
FROM builder AS data
WORKDIR /opt/optlab
COPY app ./app
COPY --from=fetch /fetch/ ./data/
RUN if [ -f data/airfoil_self_noise.dat ]; then \
        /opt/venv/bin/python -m app.data.airfoil data/airfoil_self_noise.dat \
        || { echo "WARNING: the fetched airfoil data failed the check: the app will use its synthetic data set" >&2; \
             rm -f data/airfoil_self_noise.dat; }; \
    fi


FROM base AS runtime
LABEL org.opencontainers.image.title="Optimizer Lab" \
      org.opencontainers.image.description="The optimizers of Dive into Deep Learning ch. 7, live in the browser"
# A fixed uid/gid, so a bind-mounted /data can be chowned to it on the host (10001:10001).
RUN groupadd --system --gid 10001 optlab \
    && useradd --system --no-log-init --uid 10001 --gid optlab --create-home --home-dir /home/optlab \
        --shell /usr/sbin/nologin optlab \
    && mkdir /data \
    && chown optlab:optlab /data
COPY --from=builder /opt/venv /opt/venv
WORKDIR /opt/optlab
# The data sit outside /data, so mounting the history volume never hides them.
COPY --from=data /opt/optlab/data ./data
COPY app ./app
COPY static ./static
COPY templates ./templates
# The Chinese catalogue compiled once here (the app would otherwise compile it in memory at start).
RUN /opt/venv/bin/pybabel compile -d app/i18n/locale -D messages
# Every setting is an OPTLAB_* variable (README, "Deploy with Docker"); these are the image's.
# OPTLAB_ALLOWED_HOSTS is '*' so that the image answers whatever name it is reached by; for a
# class, name the server (README, "For a class").
# FORWARDED_ALLOW_IPS is uvicorn's: the peers whose X-Forwarded-For/-Proto are believed. Only
# loopback by default, so a client that reaches the port directly cannot pose as other IPs (the
# per-client stream limit counts by IP); behind a reverse proxy, set it to the proxy's address.
ENV PATH=/opt/venv/bin:$PATH \
    OPTLAB_DATA_DIR=/opt/optlab/data \
    OPTLAB_DB_PATH=/data/optlab.sqlite3 \
    OPTLAB_ALLOWED_HOSTS="*" \
    FORWARDED_ALLOW_IPS="127.0.0.1,::1"
# The SQLite history; declared after the chown, so a new named volume starts owned by optlab.
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import json, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4); sys.exit(0 if json.load(r).get('status') == 'ok' else 1)"]
# One process: the job queue and its limits live in it. SIGTERM (docker stop) closes open
# streams after 5 s instead of waiting for them.
CMD ["python", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--timeout-graceful-shutdown", "5"]
