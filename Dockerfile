# IMVO-coach Telegram bot. Build: docker build -t imvo-coach .
# Run:   docker run -d --env-file .env -v imvo-data:/data imvo-coach
# The token is never baked in: pass TELEGRAM_BOT_TOKEN at run time, or mount a secret
# file and set TELEGRAM_BOT_TOKEN_FILE (see docker-compose.yml and .env.example).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY conversations ./conversations
COPY knowledge ./knowledge
COPY storage ./storage
COPY documents ./documents
# Wheels for the project and every dependency, so the final stage needs no build tools.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    IMVO_COACH_DB=/data/imvo-coach.db \
    HEARTBEAT_FILE=/tmp/imvo-coach.heartbeat
# A fixed, unprivileged user; /data belongs to it so a fresh named volume does too.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin app \
    && mkdir /data && chown app:app /data && chmod 700 /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels imvo-coach && rm -rf /wheels
USER 10001:10001
VOLUME ["/data"]
# A polling bot has no port to probe: the bot touches HEARTBEAT_FILE every 30 s from its
# JobQueue, so a stale or missing file means the event loop is stuck or the bot is down.
HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, time; sys.exit(time.time() - os.path.getmtime(os.environ['HEARTBEAT_FILE']) > 120)"]
# Exec form: Python is PID 1 and gets SIGTERM, so PTB shuts down cleanly.
CMD ["imvo-coach", "run"]
