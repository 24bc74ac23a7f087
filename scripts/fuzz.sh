#!/usr/bin/env bash
# Runs every fuzz target in the repository, one after another, for
# $FUZZTIME each (default 10s). Targets are found by looking for
# `func FuzzXxx(` in *_test.go files, so new ones are picked up without
# editing this script. $FUZZPARALLEL, when set, caps the fuzzing workers
# per target (go test -parallel).
#
# An input that makes a target fail is saved by Go under the package's
# testdata/fuzz/<FuzzName>/ directory; commit it together with the fix and
# every later `go test` (so `make test`) replays it as a regular test.
#
# Exit status: 0 when every target ran clean, 1 when any failed (all
# targets still run; the failures are listed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-10s}
extra=()
if [[ -n ${FUZZPARALLEL:-} ]]; then
	extra+=(-parallel "$FUZZPARALLEL")
fi

# "dir name" pairs, sorted so runs are repeatable.
mapfile -t targets < <(
	grep -rE --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata \
		-o '^func Fuzz[A-Za-z0-9_]*\(' . |
		sed -E 's#^\./(([^:]*)/)?[^/:]*:func (Fuzz[A-Za-z0-9_]*)\($#\2 \3#' | sort -u
)
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz: no fuzz targets found (looked for 'func FuzzXxx(' in *_test.go)" >&2
	exit 1
fi

echo "fuzz: ${#targets[@]} targets, $fuzztime each"
failed=()
for t in "${targets[@]}"; do
	dir=${t% *}
	dir=${dir:-.} # a target in the module root
	name=${t#* }
	echo "fuzz: $name in ./$dir"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "${extra[@]}" "./$dir"; then
		failed+=("$name in ./$dir")
	fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
	echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	echo "fuzz: failing inputs are saved under each package's testdata/fuzz/; go test replays them" >&2
	exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran clean"
