#!/usr/bin/env bash
# Installs what Warden's build, demo and tests need on a Debian/Ubuntu machine.
# Safe to run repeatedly: it installs only what is missing.
set -euo pipefail

export PATH="/usr/local/go/bin:$PATH"
if ! command -v go >/dev/null 2>&1; then
  echo "setup: Go 1.26 is required (https://go.dev/dl); install it to /usr/local/go" >&2
  exit 1
fi

need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)   # runs the isolation app and the bridge in tests
command -v npm >/dev/null 2>&1 || need+=(npm)        # TypeScript's compiler (below) and AssemblyScript backends
command -v gcc >/dev/null 2>&1 || need+=(gcc)        # cgo for host/webview
pkg-config --exists webkit2gtk-4.1 webkit2gtk-web-extension-4.1 2>/dev/null || need+=(libwebkit2gtk-4.1-dev pkg-config) # also the web extension's headers
pkg-config --exists x11 2>/dev/null || need+=(libx11-dev) # closing windows as a window manager does, in tests
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)      # the demo and the end-to-end tests without a display
command -v xauth >/dev/null 2>&1 || need+=(xauth)    # xvfb-run
command -v import >/dev/null 2>&1 || need+=(imagemagick) # the demo's screenshot
command -v minisign >/dev/null 2>&1 || need+=(minisign) # signature interop tests
command -v strace >/dev/null 2>&1 || need+=(strace)     # watching the web stack's system calls in the network tests
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)   # clicking as a user in the network tests
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus-daemon) # a session bus for the notifications tests
command -v xprop >/dev/null 2>&1 || need+=(x11-utils) # reading a window's icon in the window tests
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# TypeScript's compiler, for the tests that type-check sdk/js/warden.d.ts
# (sdk/js/tsc_test.go looks for it here): installed once into a cache
# directory outside the source tree, and kept.
tsc_version=5.9.3
tsc_dir="${WARDEN_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/warden-tools}/typescript"
if [ "$("$tsc_dir/node_modules/.bin/tsc" --version 2>/dev/null)" != "Version $tsc_version" ]; then
  echo "setup: installing typescript@$tsc_version into $tsc_dir"
  npm install --prefix "$tsc_dir" --no-audit --no-fund --silent "typescript@$tsc_version" >/dev/null
fi

go mod download
# The AssemblyScript toolchain `warden new --backend assemblyscript` pins, in
# npm's cache, so builds install it with --prefer-offline.
npm cache add assemblyscript@0.28.20 @extism/as-pdk@1.0.0 >/dev/null 2>&1 ||
  echo "setup: warning: npm could not cache the AssemblyScript toolchain" >&2
echo "setup: ok ($(go version | cut -d' ' -f3), node $(node --version), tsc $("$tsc_dir/node_modules/.bin/tsc" --version | cut -d' ' -f2))"
