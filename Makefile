# lgw: build, test, cross-compile, demo. `make help` lists the targets.
SHELL   := /bin/bash
GO      ?= go
# A release tag vX.Y.Z gives X.Y.Z; otherwise 0.0.0~dev (dpkg needs a leading digit).
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//' | grep . || echo 0.0.0~dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
DIST    := dist

.PHONY: help build test test-deps vet cross demo clean deps

help:
	@echo "make demo   - run the agent on the simulator with an in-process broker"
	@echo "make test   - go vet, then every test with the race detector"
	@echo "make build  - build bin/lgw for this machine"
	@echo "make cross  - build the ARM binaries into $(DIST)/"

deps:
	$(GO) mod download

# Static, as the packages and `make cross` build it: a cgo build maps libc
# and ld.so too, 1.4 MB more resident (docs/performance.md, memory).
build: deps
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/lgw ./cmd/lgw

vet: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

test: vet test-deps
	$(GO) test -race -count=1 -timeout 8m ./...

# The MQTT end-to-end test wants Mosquitto; install it where it is missing.
test-deps:
	@if command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== installing mosquitto and mosquitto-clients with apt-get (MQTT end-to-end test)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto mosquitto-clients >/dev/null) \
	    || echo "!!!!! WARNING: could not install mosquitto: the Mosquitto end-to-end test will be SKIPPED !!!!!"; \
	else \
	  echo "!!!!! WARNING: mosquitto is not installed and cannot be installed here (need root and apt-get):"; \
	  echo "!!!!! the Mosquitto end-to-end test will be SKIPPED. Install it: sudo apt-get install mosquitto mosquitto-clients"; \
	fi

cross: deps
	@mkdir -p $(DIST)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/lgw-linux-armv6 ./cmd/lgw
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/lgw-linux-armv7 ./cmd/lgw
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(DIST)/lgw-linux-arm64 ./cmd/lgw
	@ls -l $(DIST)/lgw-linux-armv6 $(DIST)/lgw-linux-armv7 $(DIST)/lgw-linux-arm64 | awk '{printf "%-28s %10d bytes\n", $$9, $$5}'

# The agent on the simulator with an in-process broker and a scripted
# network server; it ends by itself after about a minute.
demo: deps
	$(GO) run ./cmd/lgw-demo

clean:
	rm -rf bin $(DIST) .cache

include packaging/packaging.mk
