# tarn: `make run` starts the lake with a demo; `make test` runs every test. Both set up the
# machine first (Debian 12: apt packages, pinned DuckDB) and build.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
LAKE ?= ./lake
LISTEN ?= 127.0.0.1:8080
PG_LISTEN ?= 127.0.0.1:5433
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory

.PHONY: setup configure build test run bench format clean

setup:
	@./scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j 2

run: build
	@./scripts/run.sh $(BUILD_DIR)/tarn $(LAKE) $(LISTEN) $(PG_LISTEN)

bench: build
	@./bench/run.sh $(BUILD_DIR)

.PHONY: bench-ingest
bench-ingest: build
	@./bench/ingest.sh $(BUILD_DIR)

.PHONY: bench-promotion
bench-promotion: build
	@cd $(CURDIR) && $(BUILD_DIR)/promotion_bench

.PHONY: bench-stream
bench-stream: build
	@cd $(CURDIR) && $(BUILD_DIR)/stream_bench

.PHONY: bench-iceberg
bench-iceberg: build
	@cd $(CURDIR) && $(BUILD_DIR)/iceberg_bench

.PHONY: bench-query
bench-query: build
	@./bench/query.sh $(BUILD_DIR)

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR)
