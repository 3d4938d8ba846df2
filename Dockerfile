# DDR Registry service. Build: docker build -t ddr-registry .
# Run (PostgreSQL in production):
#   docker run -e DDR_ENV=production -e DDR_SECRET_KEY=... -e DDR_MASTER_KEY=... \
#     -e DDR_DATABASE_URL=postgresql+psycopg://ddr@db/ddr -p 8000:8000 ddr-registry
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/ddr

RUN useradd --system --create-home --home-dir /home/ddr --uid 10001 ddr

COPY pyproject.toml README.md ./
COPY app ./app
COPY matching ./matching
COPY synthetic ./synthetic
COPY reintegration ./reintegration
COPY exports ./exports
COPY migrations ./migrations
RUN pip install -e .

USER ddr
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"

# Apply migrations, then serve. The master key comes from DDR_MASTER_KEY (never baked in).
CMD ["sh", "-c", "ddr db upgrade && ddr serve --host 0.0.0.0 --port 8000"]
