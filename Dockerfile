# syntax=docker/dockerfile:1
#
# meshroll's container image: the static meshroll binary on Alpine Linux with
# git, which `meshroll diff --base REF` runs to read the intents at REF. A
# distroless image would be smaller but has no git. The image runs as an
# unprivileged user and reads the repository mounted at /work:
#
#   docker run --rm -v "$PWD:/work" ghcr.io/meshroll/meshroll:v0.1.0 check
#
# Build: docker build -t meshroll . (the release workflow builds it for
# linux/amd64 and linux/arm64 and pushes it to ghcr.io/meshroll/meshroll).
# The binary is cross-compiled on the build machine's platform, so only the
# small final stage runs under emulation.

ARG GO_VERSION=1.26
ARG ALPINE_VERSION=3.22

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=""
ARG COMMIT=""
ARG DATE=""
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w -X github.com/meshroll/meshroll/internal/version.version=${VERSION} -X github.com/meshroll/meshroll/internal/version.commit=${COMMIT} -X github.com/meshroll/meshroll/internal/version.date=${DATE}" \
      -o /out/meshroll ./cmd/meshroll

FROM alpine:${ALPINE_VERSION}
# git for meshroll diff --base. The mounted repository belongs to another
# user, and git refuses to read it unless it is marked safe.
RUN apk add --no-cache git \
    && adduser -D -u 65532 -h /home/meshroll meshroll \
    && git config --system --add safe.directory '*'
COPY --from=build /out/meshroll /usr/local/bin/meshroll
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/meshroll"]
CMD ["--help"]
