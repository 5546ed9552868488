#!/usr/bin/env bash
# Install the Debian packages of the real servers the integration tests start
# (PostgreSQL and InfluxDB 1.x), and the browser the dashboard's tests drive
# (Chromium and its WebDriver). The tests start and stop them on 127.0.0.1.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian may start its own instances on install; the tests use their own.
(command -v service >/dev/null && { service influxdb stop; service postgresql stop; }) >/dev/null 2>&1 || true
