# Solidarity: one image for the web process, the Celery workers and beat (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SOLIDARITY_PRODUCTION=true STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media

# WeasyPrint's libraries and fonts for the PDF reports; gettext for the translations.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps . \
 && python manage.py compilemessages --ignore '.venv/*' >/dev/null \
 && SECRET_KEY=build-time-only-not-a-secret-build-time-only-not-a-secret-x \
    ALLOWED_HOSTS=build CACHE_URL=locmemcache:// \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 1000 --home /app solidarity \
 && mkdir -p /data/media && chown -R solidarity /data
USER solidarity
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "solidarity.wsgi"]
