#!/bin/bash
#
# unstack.sh: stop the Stratus cloud that stack.sh started.
#
#   sudo devstack/unstack.sh           stop every Stratus process; keep all data
#   sudo devstack/unstack.sh --clean   also remove data: /var/lib/stratus,
#                                      /etc/stratus, the stratus_* databases,
#                                      our clouds in /etc/openstack/clouds.yaml
#   sudo devstack/unstack.sh --all     --clean, plus the venv and the logs
#
# RabbitMQ, MariaDB and PostgreSQL are shared host services: they keep running.

# shellcheck source-path=SCRIPTDIR
set -eEuo pipefail

DEVSTACK_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO_DIR=$(cd "$DEVSTACK_DIR/.." && pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C.UTF-8 LANG=C.UTF-8

CLEAN=false
ALL=false
for arg in "$@"; do
    case $arg in
        --clean) CLEAN=true ;;
        --all) CLEAN=true ALL=true ;;
        -h|--help)
            sed -n '3,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *)
            echo "unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "unstack.sh must run as root: sudo $0 $*" >&2
    exit 1
fi

# shellcheck source=lib/components
source "$DEVSTACK_DIR/lib/components"

trap 'echo "unstack.sh FAILED at ${BASH_SOURCE[0]#"$REPO_DIR"/}:$LINENO (in ${FUNCNAME[*]:-main}): $BASH_COMMAND" >&2' ERR

load_settings

# ---------------------------------------------------------------- stop
# Services in the reverse order of stack.sh; later components add their
# stop_X here, before identity.

run_step network stop_network
run_step image stop_image
run_step identity stop_identity
# Anything registered that no component stopped by name, then supervisord.
run_step supervisor stop_supervisor

# ---------------------------------------------------------------- host cleanup
# What the services made on the host goes with their stop_X: stop_network
# removes the qdhcp-*/qrouter-* namespaces, bridges, veths, vxlan links,
# dnsmasq and proxy processes and iptables rules of the network agent
# (compute adds its guests). cleanup_X then removes data.

if [ "$CLEAN" = true ]; then
    run_step network cleanup_network
    run_step image cleanup_image
    run_step identity cleanup_identity
    run_step clients cleanup_clients
    run_step supervisor cleanup_supervisor
    say ""
    say "==> removing $STRATUS_DATA_DIR $STRATUS_CONF_DIR $STRATUS_RUN_DIR"
    rm -rf "$STRATUS_DATA_DIR" "$STRATUS_CONF_DIR" "$STRATUS_RUN_DIR"
fi

if [ "$ALL" = true ]; then
    run_step python cleanup_venv
    run_step tempest cleanup_tempest
    say ""
    say "==> removing $STRATUS_LOG_DIR"
    rm -rf "$STRATUS_LOG_DIR"
fi

say ""
if [ "$CLEAN" = true ]; then
    say "Stratus stopped and its data removed."
else
    say "Stratus stopped; data kept (unstack.sh --clean removes it)."
fi
