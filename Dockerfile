# Atomyx Vault container image (docs/deployment.md). The build stage makes the same Debian package
# as `cpack -G DEB` (tests/packaging/deb_test.sh installs and serves it in CI); the runtime stage
# installs that package into debian:12-slim, so image and package cannot drift apart.
FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN bash scripts/bootstrap.sh \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build -j"$(nproc)" --target atomyx-vault \
 && cd build && cpack -G DEB && mv atomyx-vault_*.deb /atomyx-vault.deb

FROM debian:12-slim
COPY --from=build /atomyx-vault.deb /tmp/atomyx-vault.deb
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/atomyx-vault.deb ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* /tmp/atomyx-vault.deb
# The package's defaults, except that a container listens on all its interfaces (publish the port
# on loopback or a private network only, behind a TLS proxy).
ENV VAULT_LISTEN=0.0.0.0:8080
USER atomyx-vault
WORKDIR /var/lib/atomyx-vault
VOLUME /var/lib/atomyx-vault
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/atomyx-vault", "--config", "/etc/atomyx-vault/vault.toml"]
CMD ["serve"]
