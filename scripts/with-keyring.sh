#!/usr/bin/env bash
# Run a command against a real, private Secret Service: a fresh D-Bus session bus with
# gnome-keyring-daemon (secrets component) unlocked, and a throwaway XDG_DATA_HOME so
# the user's own keyrings are never touched. Usage: scripts/with-keyring.sh <command…>
set -euo pipefail

if [ -z "${ROTARY_IN_KEYRING_SESSION:-}" ]; then
  if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
    echo "with-keyring: needs dbus-run-session and gnome-keyring-daemon (Debian: apt install dbus gnome-keyring libsecret-1-dev)" >&2
    exit 1
  fi
  export ROTARY_IN_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi

data_home=$(mktemp -d /tmp/rotary-keyring.XXXXXX)
export XDG_DATA_HOME="$data_home"
export XDG_RUNTIME_DIR="$data_home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# The password unlocks (and on first start creates) the login keyring.
printf 'rotary-test\n' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$data_home/daemon.log" 2>&1 &
daemon_pid=$!
cleanup() {
  kill "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  rm -rf "$data_home"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done
if ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
  echo "with-keyring: gnome-keyring-daemon did not come up:" >&2
  cat "$data_home/daemon.log" >&2
  exit 1
fi

"$@"
