# presscrawl as a static binary in a small image, for docker compose:
#   docker compose run --rm presscrawl crawl https://news-site.example/
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /presscrawl ./cmd/presscrawl && mkdir /data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /presscrawl /usr/local/bin/presscrawl
# the data dir's volume, writable by the image's nonroot user
COPY --from=build --chown=65532:65532 /data /data
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/presscrawl"]
