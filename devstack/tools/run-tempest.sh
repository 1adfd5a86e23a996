#!/bin/bash
# Run Tempest's API tests against the cloud stack.sh brought up.
#   devstack/tools/run-tempest.sh [REGEX]   (default: every service we offer)
# Features Stratus does not offer are left out by devstack/files/tempest/exclude.txt.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
TEMPEST_VENV=/opt/stratus/tempest-venv
TEMPEST_DIR=/var/lib/stratus/tempest
REGEX=${1:-'^tempest\.api\.(identity|image|network)\.'}
[ -f "$TEMPEST_DIR/etc/tempest.conf" ] || {
    echo "no $TEMPEST_DIR/etc/tempest.conf: run devstack/stack.sh first" >&2; exit 1; }
cd "$TEMPEST_DIR"
"$TEMPEST_VENV/bin/tempest" run --regex "$REGEX" --concurrency 2 \
    --exclude-list "$HERE/../files/tempest/exclude.txt"
