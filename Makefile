# Thin wrapper over CMake. `make demo` and `make test` do the whole set-up:
# each target first installs the Debian packages of its own group
# (scripts/install-deps GROUP: nothing is done when they are all there), then
# configures and builds quietly, the output in BUILD_DIR/build.log, which is
# printed whole only if a step fails. `make V=1 ...` shows it as it goes.
BUILD ?= build/release
ASAN_BUILD ?= build/asan
FUZZ_BUILD ?= build/fuzz
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_FLAGS = -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCONSTAT_SANITIZE=ON
FUZZ_FLAGS = -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCONSTAT_FUZZ=ON -DCONSTAT_SANITIZE=ON
# groups for `make deps` (scripts/install-deps lists them)
DEPS_GROUPS ?= test
INSTALL_DEPS = sh scripts/install-deps
V ?= 0

.PHONY: all deps build test asan fuzz bench demo valgrind screenshots clean
# one target at a time: two apt-get runs, or two builds of one tree, at once fail
.NOTPARALLEL:

all: build

# $(call build_in,DIR,CMAKE-FLAGS): configure and build DIR
ifeq ($(V),1)
define build_in
cmake -S . -B $(1) $(2)
cmake --build $(1) -j $(JOBS)
endef
else
define build_in
@mkdir -p $(1)
@echo "build: $(1) (log: $(1)/build.log)"
@{ cmake -S . -B $(1) $(2) && cmake --build $(1) -j $(JOBS); } >$(1)/build.log 2>&1 || \
  { cat $(1)/build.log; echo "build: FAILED in $(1): the log above is $(1)/build.log" >&2; exit 1; }
endef
endif

deps:
	@$(INSTALL_DEPS) $(DEPS_GROUPS)

build:
	@$(INSTALL_DEPS) demo
	$(call build_in,$(BUILD),$(CMAKE_FLAGS))

test:
	@$(INSTALL_DEPS) test
	$(call build_in,$(BUILD),$(CMAKE_FLAGS))
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

asan:
	@$(INSTALL_DEPS) asan
	$(call build_in,$(ASAN_BUILD),$(ASAN_FLAGS))
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

fuzz:
	@$(INSTALL_DEPS) fuzz
	$(call build_in,$(FUZZ_BUILD),$(FUZZ_FLAGS))
	@for f in $(FUZZ_BUILD)/fuzz_*; do \
	  n=$$(basename $$f); mkdir -p build/fuzz-corpus/$$n; \
	  $$f -max_total_time=$${FUZZ_SECONDS:-60} build/fuzz-corpus/$$n fuzz/corpus/$$n || exit 1; \
	done

bench:
	@$(INSTALL_DEPS) bench
	$(call build_in,$(BUILD),$(CMAKE_FLAGS))
	@./bench/run $(BUILD)

# docs/screenshots/*.png: the web app at phone width (360 px), Arabic, as
# the browser test t0700 drives it
screenshots:
	@$(INSTALL_DEPS) test
	$(call build_in,$(BUILD),$(CMAKE_FLAGS))
	@mkdir -p docs/screenshots
	@CONSTAT_SHOTS=$(CURDIR)/docs/screenshots ctest --test-dir $(BUILD) -R '^e2e/t0700' --output-on-failure
	@ls docs/screenshots/*.png

demo:
	@$(INSTALL_DEPS) demo
	$(call build_in,$(BUILD),$(CMAKE_FLAGS))
	@./scripts/demo $(BUILD)

valgrind:
	@$(INSTALL_DEPS) valgrind
	$(call build_in,$(BUILD),$(CMAKE_FLAGS))
	@ctest --test-dir $(BUILD) -T memcheck -E 'e2e|^pg/'

clean:
	rm -rf build
