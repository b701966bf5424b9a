# pyrobuild's developer commands. `make run` and `make test` are the two a
# newcomer needs.

GO       ?= go
BIN      := bin/pyrobuild
PKGS     := ./...
STATICCHECK_VERSION := v0.8.2

.PHONY: all build run site test lint fmt bench bench-go bench-compile bench-site bench-serve bench-ab bench-startup compare fuzz fuzz-ci clean

all: build

# A pure-Go (static) binary, as README's install line makes: it runs in any
# Linux image (Alpine and distroless included) and starts about 1 ms sooner
# than one linked to the C library, which only Go's cgo DNS resolver and
# user lookup would need.
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/pyrobuild

PORT     ?= 8080

# run and site take every setting from pyrobuild.yaml, as `pyrobuild compile`,
# `pyrobuild build` and `pyrobuild serve` do when run here with no flags.

## run: compile the bundled examples into build/, then preview the docs site
## and the example dashboards at http://127.0.0.1:$(PORT)/ with live reload
run: build
	./$(BIN) compile
	./$(BIN) serve --port $(PORT)

## site: build the documentation site into public/
site: build
	./$(BIN) build

## test: vet, unit and end-to-end tests, and every benchmark once at a tiny size
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -run='^$$' -bench=. -benchtime=1x $(PKGS)

## lint: formatting, tidy go.mod, vet and staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: every side-by-side benchmark (compile, site, serve, scaling) → BENCHMARKS.md
bench:
	bash scripts/bench.sh

## bench-go: the Go benchmarks (testing.B; compare runs with benchstat)
bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 $(PKGS)

## bench-compile: pyrobuild against `cue export` (pyrobuild's schema) once per
## file; with PERCLI=percli PERSES_SDK=perses-checkout PERSES_PLUGINS=plugins-dir
## also against the real `percli dac build` on the same dashboards written with
## the Perses CUE SDK (SIZES, RUNS, MODE=go, OUT, ANCHOR_MAX: see the script)
bench-compile:
	bash scripts/bench-compile.sh

## bench-site: pyrobuild build against Hugo on the same 1,000 generated pages
bench-site:
	bash scripts/bench-site.sh

## bench-serve: edit → reload latency, pyrobuild serve against hugo server
bench-serve:
	bash scripts/bench-serve.sh

## bench-ab: this work tree against REV (default main) on the same inputs,
## runs alternating: a change meant to keep speed shows ratios near 1
REV ?= main
bench-ab:
	bash scripts/bench-ab.sh --rev $(REV)

## bench-startup: --version and a warm compile of 50 dashboards, this work
## tree against REV (default main): wall and CPU time and page faults,
## runs interleaved (STARTS, RUNS, BATCH, N)
bench-startup:
	bash scripts/bench-startup.sh --rev $(REV)

## compare: every output and diagnostic of this work tree against REV's, byte
## for byte, over the examples and every broken source
compare:
	bash scripts/compare-behaviour.sh --rev $(REV)

## fuzz: run every fuzz target of the repository for FUZZTIME (default 30s)
## each; crashers land in the package's testdata/fuzz (scripts/fuzz.sh)
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash scripts/fuzz.sh

## fuzz-ci: every fuzz target for 3 s (what CI can afford)
fuzz-ci:
	$(MAKE) fuzz FUZZTIME=3s

clean:
	rm -rf bin build public
