#!/usr/bin/env bash
# Runs the end-user walkthrough of docs/end-users.md in a throwaway profile
# and prints each command with its real output, so the docs can be checked
# against (and refreshed from) what Warden really prints.
# Usage: bash docs/walkthrough.sh   (builds bin/warden first)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
go build -o bin/warden ./cmd/warden
go build -o bin/warden-webview ./cmd/warden-webview
w="$PWD/bin/warden"
warden() { "$w" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" WARDEN_POLICY="$tmp/policy.json"

run() {
  echo "\$ $*"
  "$@" 2>&1 | sed "s#$tmp#~#g" || true
  echo
}

# A second version of hello that also asks for notifications.
cp -r "$OLDPWD/examples/hello" hello-src
touch hello-src/backend/*.wasm 2>/dev/null || true
sed -e 's/"version": "1.0.0"/"version": "1.1.0"/' -e 's/"permissions": \["storage"\]/"permissions": ["storage", "notifications"]/' \
  hello-src/manifest.json > hello-src/manifest.json.new && mv hello-src/manifest.json.new hello-src/manifest.json

run warden keygen -o publisher.key
run warden pack "$OLDPWD/examples/hello" --key publisher.key -o hello-1.0.0.wbundle
run warden verify hello-1.0.0.wbundle --pub publisher.pub
run warden install hello-1.0.0.wbundle --pub publisher.pub
run warden install hello-1.0.0.wbundle --pub publisher.pub --grant storage
run warden list
run warden info dev.warden.hello
run warden pack hello-src --key publisher.key -o hello-1.1.0.wbundle
run warden install hello-1.1.0.wbundle --pub publisher.pub
run warden list
run warden enable dev.warden.hello
run warden grant dev.warden.hello notifications
run warden rollback dev.warden.hello
run warden revoke dev.warden.hello storage
run warden disable dev.warden.hello
run warden call "$OLDPWD/examples/hello" backend.shutdown
run warden audit --denied
# 1.2.0 signed by someone else's key: refused, unless accepted as a new publisher.
run warden keygen -o other.key
cp -r hello-src other-src
sed -e 's/"version": "1.1.0"/"version": "1.2.0"/' other-src/manifest.json > other-src/manifest.json.new && mv other-src/manifest.json.new other-src/manifest.json
touch other-src/backend/*.wasm 2>/dev/null || true
run warden pack other-src --key other.key -o hello-1.2.0.wbundle
run warden install hello-1.2.0.wbundle --pub other.pub
run warden install hello-1.2.0.wbundle --pub other.pub --accept-new-publisher --grant storage --grant notifications
run warden uninstall dev.warden.hello --purge
run warden list

# From a registry: a static directory served over HTTP on 127.0.0.1.
run warden keygen -o registry.key
run warden registry add registry hello-1.0.0.wbundle --key registry.key --pub publisher.pub
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory registry >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1
run warden install dev.warden.hello@^1 --registry "http://127.0.0.1:$port/" --registry-key registry.pub --grant storage
run warden call dev.warden.hello storage.set '{"key":"greeting","value":"kept across versions"}'
run warden update
run warden registry add registry hello-1.1.0.wbundle --key registry.key --pub publisher.pub
run warden update
run warden grant dev.warden.hello notifications
run warden rollback dev.warden.hello
run warden call dev.warden.hello storage.get '{"key":"greeting"}'
run warden registry add registry hello-1.2.0.wbundle --key registry.key --pub other.pub
run warden update
run warden registry refresh registry --key registry.key --valid-for 720h
