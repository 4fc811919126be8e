# syntax=docker/dockerfile:1
# Graphbox gateway: a static binary on a distroless base, run as a non-root user.
#   docker build -t graphbox .
#   docker run -p 8080:8080 -e GATEWAY_UPSTREAM_URL=https://netbox.example.com graphbox
#   docker run -p 8080:8080 graphbox --demo --listen :8080

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so editing the sources does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same build command as .ci/run.
RUN CGO_ENABLED=0 go build -trimpath -o /out/graphbox ./cmd/gateway

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/graphbox /usr/local/bin/graphbox
# nonroot is uid/gid 65532 in distroless images.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/graphbox"]
