# Production image: the app only; PostgreSQL and Redis are separate services (docker-compose.yml).
FROM python:3.11-slim-bookworm
# pg_dump/pg_restore of the compose PostgreSQL's major version (15) for `python app.py backup`: a
# newer pg_restore cannot restore into an older server.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --create-home signx && mkdir -p /data && chown signx /data
USER signx
ENV SIGNX_DATA_DIR=/data SIGNX_HOST=0.0.0.0 SIGNX_PORT=8000
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["python", "app.py", "serve"]
