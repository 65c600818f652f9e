# packaging.mk: release binaries, .deb packages, install by hand, unit
# check. Included from the top Makefile (include packaging/packaging.mk);
# run from the repository root.
#
#   make deb          dist/lgw_$(VERSION)_{armhf,arm64,amd64}.deb (nfpm)
#   make check-deb    assert the packages' metadata and contents
#   make install      install by hand (PREFIX=/usr/local, DESTDIR aware)
#   make verify-unit  systemd-analyze verify systemd/lgw.service

VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//' | grep . || echo 0.0.0~dev)
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# nfpm is run at a pinned version and kept out of go.mod; newer releases
# cannot be built through this module proxy.
NFPM ?= go run github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH

LGW_GO_SOURCES := $(shell find . -name '*.go' -not -path './dist/*' 2>/dev/null) go.mod go.sum
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LGW_LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
LGW_BUILD := CGO_ENABLED=0 go build -trimpath -ldflags "$(LGW_LDFLAGS)"
LGW_DEB_ARCHS := armhf arm64 amd64
LGW_DEBS := $(foreach a,$(LGW_DEB_ARCHS),dist/lgw_$(VERSION)_$(a).deb)
LGW_DEB_FILES := packaging/nfpm.yaml packaging/lgw.toml systemd/lgw.service docs/cli.md docs/systemd.md \
	packaging/scripts/postinst packaging/scripts/prerm packaging/scripts/postrm

.PHONY: dist deb check-deb install uninstall verify-unit

dist: dist/lgw-linux-armv6 dist/lgw-linux-arm64 dist/lgw-linux-amd64

# armhf is Raspberry Pi OS 32-bit: ARMv6 hard-float (Pi Zero/1 too).
dist/lgw-linux-armv6: $(LGW_GO_SOURCES)
	@mkdir -p dist
	GOOS=linux GOARCH=arm GOARM=6 $(LGW_BUILD) -o $@ ./cmd/lgw

dist/lgw-linux-arm64: $(LGW_GO_SOURCES)
	@mkdir -p dist
	GOOS=linux GOARCH=arm64 $(LGW_BUILD) -o $@ ./cmd/lgw

dist/lgw-linux-amd64: $(LGW_GO_SOURCES)
	@mkdir -p dist
	GOOS=linux GOARCH=amd64 $(LGW_BUILD) -o $@ ./cmd/lgw

# Debian architecture -> binary.
lgw_bin_armhf := dist/lgw-linux-armv6
lgw_bin_arm64 := dist/lgw-linux-arm64
lgw_bin_amd64 := dist/lgw-linux-amd64

deb: $(LGW_DEBS)

dist/lgw_$(VERSION)_%.deb: $(LGW_DEB_FILES) dist/lgw-linux-armv6 dist/lgw-linux-arm64 dist/lgw-linux-amd64
	@test -n "$(lgw_bin_$*)" || { echo "no binary for architecture $*"; exit 1; }
	rm -f $@
	sed -e 's|$${ARCH}|$*|g' -e 's|$${BINARY}|$(lgw_bin_$*)|g' -e 's|$${VERSION}|$(VERSION)|g' \
		packaging/nfpm.yaml > dist/nfpm-$*.yaml
	$(NFPM) pkg --packager deb --config dist/nfpm-$*.yaml --target $@

check-deb: deb
	@for a in $(LGW_DEB_ARCHS); do \
		sh packaging/check-deb.sh dist/lgw_$(VERSION)_$$a.deb $$a $(VERSION) || exit 1; \
	done

# Install by hand: binary, unit (ExecStart pointed at $(PREFIX)/bin), the
# default config unless one exists, the state directory. The user and its
# device groups are created by packaging/scripts/postinst configure (run
# it as root, or see docs/systemd.md).
dist/lgw: $(LGW_GO_SOURCES)
	@mkdir -p dist
	$(LGW_BUILD) -o $@ ./cmd/lgw

install: dist/lgw
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/lgw \
		$(DESTDIR)/var/lib/lgw $(DESTDIR)$(PREFIX)/share/lgw/firmware
	install -m 0755 dist/lgw $(DESTDIR)$(PREFIX)/bin/lgw
	sed -e 's|/usr/bin/lgw|$(PREFIX)/bin/lgw|' -e 's|/etc/lgw/|$(SYSCONFDIR)/lgw/|' systemd/lgw.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/lgw.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/lgw.service
	test -e $(DESTDIR)$(SYSCONFDIR)/lgw/lgw.toml || \
		install -m 0640 packaging/lgw.toml $(DESTDIR)$(SYSCONFDIR)/lgw/lgw.toml
	@echo "installed; as root: sh packaging/scripts/postinst configure (user lgw, groups), then systemctl enable --now lgw"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/lgw $(DESTDIR)$(SYSTEMDUNITDIR)/lgw.service

# systemd-analyze verify refuses a unit whose ExecStart binary is absent,
# so the check runs on a copy whose ExecStart is /bin/true; every other
# line is the shipped unit's.
verify-unit:
	@if command -v systemd-analyze >/dev/null 2>&1; then \
		d=$$(mktemp -d) && \
		sed 's|^ExecStart=/usr/bin/lgw |ExecStart=/bin/true |' systemd/lgw.service > $$d/lgw.service && \
		out=$$(systemd-analyze verify $$d/lgw.service 2>&1); rc=$$?; rm -rf $$d; \
		if [ $$rc -ne 0 ] || [ -n "$$out" ]; then echo "$$out"; echo "verify-unit: FAILED"; exit 1; fi; \
		echo "verify-unit: systemd/lgw.service OK"; \
	else \
		echo "verify-unit: systemd-analyze not installed, skipped"; \
	fi
