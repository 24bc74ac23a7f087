#!/usr/bin/env bash
# Runs the core's benchmarks in one `go test -bench` run and prints the
# results; bench/RESULTS.md records a run of exactly this command.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-2s}" -count "${COUNT:-1}" \
  ./host/ ./host/backend/ ./isolation/ ./permissions/ ./host/audit/
