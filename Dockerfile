# The contracts broker as a container image: a static binary on distroless
# static (no shell, no package manager), run as a non-root user.
#
#   docker build -t contracts .
#   docker run -p 9292:9292 -v contracts-data:/data contracts
#
# Build stage: CGO off gives a static binary (the SQLite driver is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/contracts ./cmd/contracts \
 && mkdir -p /out/data

# Final stage: distroless static has /etc/passwd with the nonroot user
# (65532) and CA certificates, nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/contracts /usr/local/bin/contracts
# The SQLite default writes here; mount a volume on it.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV CONTRACTS_ADDR=:9292 \
    CONTRACTS_DB=/data/contracts.db
EXPOSE 9292
ENTRYPOINT ["/usr/local/bin/contracts"]
CMD ["broker"]
