#!/bin/bash
#
# stack.sh: install, configure and start a single-node Stratus cloud.
#
# Run as root on Debian 12, from any directory:  sudo devstack/stack.sh
# Settings come from devstack/local.conf if it exists (see local.conf.sample).
# Safe to run again: it only does what is missing, re-installs the code from
# this checkout and restarts the services so they run it.
#
# Each component lives in devstack/lib/<component> and offers the verbs
# install_X configure_X init_X start_X stop_X cleanup_X; this script calls
# them in order and times every step.

# shellcheck source-path=SCRIPTDIR
set -eEuo pipefail

DEVSTACK_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO_DIR=$(cd "$DEVSTACK_DIR/.." && pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C.UTF-8 LANG=C.UTF-8
# The venv's commands must not pick up a caller's virtualenv or pyenv.
unset VIRTUAL_ENV PYTHONHOME PYTHONPATH

if [ "$(id -u)" -ne 0 ]; then
    echo "stack.sh must run as root: sudo $0" >&2
    exit 1
fi

# shellcheck source=lib/components
source "$DEVSTACK_DIR/lib/components"

trap 'echo "stack.sh FAILED after ${SECONDS}s at ${BASH_SOURCE[0]#"$REPO_DIR"/}:$LINENO (in ${FUNCNAME[*]:-main}): $BASH_COMMAND" >&2' ERR

load_settings
mkdir -p "$STRATUS_CONF_DIR" "$STRATUS_DATA_DIR" "$STRATUS_LOG_DIR" "$STRATUS_RUN_DIR"

say "Stratus stack.sh: repo $REPO_DIR"
say "  HOST_IP=$HOST_IP REGION_NAME=$REGION_NAME DATABASE_TYPE=$DATABASE_TYPE"
if is_systemd; then
    say "  process supervision: systemd"
else
    say "  process supervision: supervisord (systemd is not PID 1)"
fi

# ---------------------------------------------------------------- host packages

# Packages every node needs, whatever it runs.
BASE_PACKAGES=(python3-venv python3-dev build-essential git curl wrk iproute2)

install_base_packages() {
    install_packages "${BASE_PACKAGES[@]}"
}

# Hypervisor and network-agent packages (qemu, libvirt, dnsmasq, iptables,
# guest-image tools) arrive with the compute and network components: each
# lib/<component> installs its own in install_<component>.

run_step host install_base_packages
run_step host install_rabbitmq
run_step host install_database
run_step host install_supervisor

# ---------------------------------------------------------------- infrastructure

run_step rabbitmq start_rabbitmq
run_step rabbitmq configure_rabbitmq
run_step database start_database
run_step database configure_test_database
run_step supervisor configure_supervisor
run_step supervisor start_supervisor

# ---------------------------------------------------------------- python

run_step python install_venv
run_step python install_stratus

# ---------------------------------------------------------------- services
# Later components (compute, volume) follow with the same verbs,
# each from its own lib file.

run_step identity install_identity
run_step identity configure_identity
run_step identity init_identity
run_step identity start_identity
run_step identity create_identity_accounts

run_step image install_image
run_step image configure_image
run_step image init_image
run_step image start_image

run_step network install_network
run_step network configure_network
run_step network init_network
run_step network start_network

run_step clients configure_clients
run_step image upload_default_image
run_step network create_initial_networks

run_step tempest install_tempest
run_step tempest configure_tempest

# ---------------------------------------------------------------- done

say ""
print_step_times
say ""
say "Stratus is running (stack.sh took ${SECONDS}s)."
say ""
say "  identity:     $(identity_url)/v3"
say "  image:        $(image_url)  (default image $DEFAULT_IMAGE_NAME)"
say "  network:      $(network_url)  (external network public on $PUBLIC_BRIDGE, $(_public_gateway) on the host)"
say "  region:       $REGION_NAME"
say "  admin:        admin / \$ADMIN_PASSWORD  (project admin)"
say "  demo:         demo / \$DEMO_PASSWORD    (project demo)"
say ""
say "  Use the openstack CLI:"
say "    source $STRATUS_CONF_DIR/openrc-demo      # or openrc-admin"
say "    openstack token issue"
say "  or, with $CLOUDS_YAML:"
say "    export OS_CLOUD=stratus                   # or stratus-admin"
say "    $STRATUS_BIN/openstack catalog list"
say ""
say "  config $STRATUS_CONF_DIR, data $STRATUS_DATA_DIR, logs $STRATUS_LOG_DIR, venv $STRATUS_VENV"
if is_systemd; then
    say "  processes: systemctl status 'stratus-*'"
else
    say "  processes: supervisorctl -c $SUPERVISOR_CONF status"
fi
