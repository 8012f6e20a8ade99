# Plumb — see README.md. Every target starts from `deps`, which checks for a Swift 6 toolchain (the one
# prerequisite) and installs the Debian packages a fresh Debian 12 lacks.
SWIFT     ?= swift
CONFIG    ?= release
PLUMB_BIN  = .build/$(CONFIG)/plumb

# System packages: C libraries we link, tools the firewall reader runs, and what tests/benchmarks use as
# oracles (ip, lsns, iptables-save, CNI plugins, tcpdump, ss, conntrack) or drivers (tmux), and the container
# runtimes the integration tests start and stop themselves (docker.io, podman with CNI or netavark, lxc).
APT_PACKAGES = libncursesw5-dev libnl-3-dev libnl-route-3-dev libpcap-dev libsqlite3-dev pkg-config \
               iproute2 iptables nftables util-linux procps containernetworking-plugins jq tmux tcpdump \
               hyperfine busybox-static iputils-ping tshark htop bc \
               libnl-idiag-3-dev libnl-nf-3-dev conntrack docker.io podman netavark aardvark-dns lxc
APT_PACKAGES += graphviz   # map: the map tests check the DOT output with Graphviz (test-only)
APT_PACKAGES += libnftnl-dev libmnl-dev   # livetrace: `plumb trace --live` parses nftables trace events with libnftnl
APT_PACKAGES += clang llvm libbpf-dev xxd bpftool   # drops: libbpf1 at run time; make bpf compiles the BPF object; bench/drops.sh reads the program's run time with bpftool
APT_PACKAGES += systemd-container uidmap   # owners: the nspawn (--register=no) and rootless Podman integration tests
APT_PACKAGES += slirp4netns   # owners: the network-helper integration test serves test namespaces with a real slirp4netns
APT_PACKAGES += passt   # owners: pasta (in Debian 12's passt package) serves test namespaces in the network-helper integration test
APT_PACKAGES += etcd-server etcd-client openssl   # cluster: tests and benchmarks start a private etcd (the cluster store); openssl makes its test TLS certificates

# Only `make screenshots` needs a browser; CI never installs it.
SCREENSHOT_PACKAGES = aha chromium

.PHONY: all deps build test demo bench fuzz screenshots docs install install-files clean bpf

all: build

deps:
	@SWIFT=$(SWIFT) ./scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build -c $(CONFIG) --static-swift-stdlib
	@# The crash tests' fault hook exists in debug builds only (FaultInjection.swift): prove it is not in this one.
	@if [ "$(CONFIG)" = release ] && grep -q PLUMB_TEST_KILL_AFTER_STEP $(PLUMB_BIN); then \
		echo "error: $(PLUMB_BIN) contains the test-only fault hook PLUMB_TEST_KILL_AFTER_STEP" >&2; exit 1; fi

test: deps
	$(SWIFT) build --build-tests
	./scripts/run-tests.sh

# The demo lab (plumb lab up) and the live TUI on it; `plumb lab down` removes the lab afterwards.
demo: build
	$(PLUMB_BIN) lab down >/dev/null
	$(PLUMB_BIN) lab up
	$(PLUMB_BIN)

# The decoder fuzz campaign, then the crash-recovery chaos test with many more killed operations than `make test`
# runs (root: it changes the kernel inside test namespaces). CHAOS_RUNS sets the count, PLUMB_CHAOS_SEED replays a run.
fuzz: deps
	$(SWIFT) build -c release --product plumb-fuzz
	.build/release/plumb-fuzz $(or $(ITERATIONS),2000000)
	$(SWIFT) build --build-tests
	PLUMB_CHAOS_RUNS=$(or $(CHAOS_RUNS),300) PLUMB_TEST_BINARY=$(CURDIR)/.build/debug/plumb \
		$(SWIFT) test --skip-build --filter PlumbIntegrationTests.ChaosTests

screenshots: build
	@SWIFT=$(SWIFT) ./scripts/install-deps.sh $(SCREENSHOT_PACKAGES)
	./scripts/screenshots.sh $(PLUMB_BIN)

# The drop watcher's BPF object, compiled and embedded as a C array (Sources/CDrops/drops_bpf_object.h, committed,
# so `swift build` needs no BPF compiler). Run after changing Sources/CDrops/bpf/ or include/drop_event.h.
bpf: deps
	./scripts/build-bpf.sh

# Man pages (docs/man/*.1) and docs/keybindings.md, generated from the command tree and the keymap table.
# A test fails when the committed copies are stale.
docs: deps
	$(SWIFT) build --product plumb-docs
	.build/debug/plumb-docs .

# plumb, its man pages and shell completions under $(PREFIX) (completions come from argument-parser; they
# complete `ip netns` and network names too). install-files copies an existing binary without building:
# `make install-files PLUMB_BIN=... DESTDIR=/tmp/x` (a test does exactly that).
PREFIX ?= /usr/local
install: build
	$(MAKE) install-files PLUMB_BIN=$(PLUMB_BIN)

install-files:
	install -D -m 755 $(PLUMB_BIN) $(DESTDIR)$(PREFIX)/bin/plumb
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	           $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(PLUMB_BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/plumb
	$(PLUMB_BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_plumb
	$(PLUMB_BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/plumb.fish

bench: build
	./bench/run.sh $(PLUMB_BIN)

clean:
	rm -rf .build
