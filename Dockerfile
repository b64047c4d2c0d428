# A small image that runs ssync-doctor: the release binary on distroless (glibc and CA
# certificates, no shell, non-root). Build: docker build -t ssync-doctor .
# Run:   docker run --rm -e AZURE_TENANT_ID -e AZURE_CLIENT_ID -e AZURE_CLIENT_SECRET \
#          ssync-doctor run --org-url https://contoso.crm.dynamics.com --format json

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p ssync-runner --bin ssync-doctor

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/ssync-doctor /usr/local/bin/ssync-doctor
ENTRYPOINT ["/usr/local/bin/ssync-doctor"]
CMD ["--help"]
