# Build: docker build -t wxbot .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/wxbot .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wxbot /usr/local/bin/wxbot
USER nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/wxbot"]
CMD ["serve", "--config", "/etc/wxbot/wxbot.yaml"]
