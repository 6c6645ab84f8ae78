# Framecast in one image: `framecast serve` by default; compose.yaml also runs `framecast db upgrade`,
# `framecast worker` and `framecast emulator genaipro` from it.
FROM python:3.11-slim

# No Debian package is needed at run time: every dependency is a manylinux wheel carrying its own
# libraries (PyAV brings FFmpeg with its H.264 encoder, espeakng-loader espeak-ng and its voices,
# psycopg[binary] libpq, pocketsphinx its models, opencv-python-headless no GUI libraries), and
# nothing starts a system program. So no apt-get here.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /src

# A user of its own; the data dir (SQLite database, media, secret.key) is a volume it owns, 0700 as
# the server keeps it.
RUN useradd --create-home --uid 10001 --user-group framecast \
    && mkdir /data \
    && chown framecast:framecast /data \
    && chmod 0700 /data
ENV FRAMECAST_DATA_DIR=/data
VOLUME ["/data"]
USER framecast
# Settings also read a .env file from the working directory: the home has none.
WORKDIR /home/framecast

EXPOSE 8000
# Exec form, so that framecast is PID 1 and gets SIGTERM (uvicorn and the worker stop cleanly on it).
# Alone (docker run -p 8000:8000 -v framecast:/data IMAGE) it runs jobs in the server too.
CMD ["framecast", "serve", "--host", "0.0.0.0", "--port", "8000"]
