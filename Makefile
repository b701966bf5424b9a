# pyrobuild's developer commands. `make run` and `make test` are the two a
# newcomer needs.

GO       ?= go
BIN      := bin/pyrobuild
PKGS     := ./...
STATICCHECK_VERSION := v0.8.2

.PHONY: all build run test lint fmt bench bench-compile fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/pyrobuild

## run: compile the bundled examples into build/
run: build
	./$(BIN) compile examples -o build

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

## bench: Go benchmarks (use benchstat to compare runs)
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=5 $(PKGS)

## bench-compile: pyrobuild against `cue export` once per file (percli's method)
bench-compile:
	bash scripts/bench-compile.sh

## fuzz: run each fuzz target for FUZZTIME (default 30s); crashers land in testdata/fuzz
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./compiler/selector/
	$(GO) test -run='^$$' -fuzz=FuzzYAML -fuzztime=$(FUZZTIME) ./compiler/
	$(GO) test -run='^$$' -fuzz=FuzzJSON -fuzztime=$(FUZZTIME) ./compiler/

clean:
	rm -rf bin build
