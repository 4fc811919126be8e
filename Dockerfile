# syntax=docker/dockerfile:1
# Graphbox gateway: a static binary on a distroless base, run as a non-root user.
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t graphbox .
#   docker run -p 8080:8080 -e GATEWAY_UPSTREAM_URL=https://netbox.example.com graphbox
#   docker run -p 8080:8080 graphbox --demo

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so editing the sources does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same build command as .ci/run; .git is not in the context, so the version comes in as an
# argument (graphbox --version prints it).
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=${VERSION}" -o /out/graphbox ./cmd/gateway

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/graphbox /usr/local/bin/graphbox
# nonroot is uid/gid 65532 in distroless images.
USER 65532:65532
# In a container the gateway listens on every interface (the binary's default is loopback).
ENV GATEWAY_LISTEN=":8080"
EXPOSE 8080
# No shell or curl in a distroless image: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["/usr/local/bin/graphbox", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/graphbox"]
