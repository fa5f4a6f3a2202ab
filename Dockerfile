FROM python:3.11-slim
WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY server server
COPY models models
COPY search search
COPY sections sections
COPY indexer indexer
COPY runtime runtime
COPY es_mappings es_mappings
# Without the `dev` extra: no embedded engine, no in-process Redis (production refuses them anyway).
RUN pip install --no-cache-dir .
EXPOSE 16789
CMD ["jobboard", "serve", "--host", "0.0.0.0", "--port", "16789"]
