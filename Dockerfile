# Poki server on Debian 12, built from the same Debian packages scripts/run installs.
FROM debian:bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        g++ cmake make pkg-config ca-certificates nodejs npm \
        libboost1.81-dev nlohmann-json3-dev libpqxx-dev libhiredis-dev libspdlog-dev libfmt-dev libssl-dev \
        libhowardhinnant-date-dev python3-yaml \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY api api
COPY include include
COPY src src
COPY bench bench
COPY tests tests
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPOKI_BUILD_TESTS=OFF -DPOKI_BUILD_BENCH=OFF \
    && cmake --build build -j "$(nproc)" --target poki poki_web_app

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpqxx-6.4 libpq5 libhiredis0.14 libspdlog1.10 libfmt9 libssl3 libdate-tz3 tzdata ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin poki
COPY --from=build /src/build/src/poki /usr/local/bin/poki
COPY sql /usr/local/share/poki/sql
COPY --from=build /src/build/web-app /usr/local/share/poki/web
COPY config/poki.example.json /etc/poki/poki.json
# Inside the container the server must listen on the container's interface; docker-compose
# publishes it on the host's loopback only.
ENV POKI_HTTP_ADDRESS=0.0.0.0 \
    POKI_DATABASE_MIGRATIONS_DIR=/usr/local/share/poki/sql \
    POKI_WEB_ROOT=/usr/local/share/poki/web
USER poki
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/poki"]
CMD ["serve", "--config", "/etc/poki/poki.json"]
