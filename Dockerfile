# rload's container image: the binary alone, for `docker run` and as the runner image of
# k6-operator (deploy/). Two stages: a Rust toolchain builds the release binary with the
# README's build command; the runtime stage is Debian slim with that one binary, run as a
# non-root user.
#
#   docker build -t rload .
#   docker run --rm -i rload run --with-target -d 5s - < scripts/hello.rhai
#
# The bundled stdlib/ modules are compiled into the binary (include_str! in
# src/script/resolver.rs), so the binary is all the image needs: no stdlib/ directory to copy.
# TLS roots are compiled in too (webpki-roots), so no ca-certificates package either.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# The README's build command (its set-up section); [profile.release] strips debug info.
RUN cargo build --release

FROM debian:bookworm-slim
# k6's image runs as uid 12345; so does this one, so the securityContext written for k6's
# runners fits. `k6` is a second name for the binary: k6-operator starts its runner and
# initializer pods with `k6 run …`, `k6 archive …` and `k6 inspect …`.
RUN useradd --create-home --uid 12345 --user-group rload
COPY --from=build /src/target/release/rload /usr/local/bin/rload
RUN ln -s /usr/local/bin/rload /usr/local/bin/k6
USER 12345
WORKDIR /home/rload
# k6's REST API (--address), which k6-operator's starter drives.
EXPOSE 6565
ENTRYPOINT ["rload"]
