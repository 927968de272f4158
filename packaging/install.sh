#!/bin/sh
# tcf-hub one-command install for one user (no root): the binary in ~/.local/bin, config and
# data dirs, a desktop entry with icons and, with --service, a systemd user unit.
#
#   sh install.sh [--binary PATH] [--service]   install or update
#   sh install.sh --uninstall [--purge]          remove; config and data stay unless --purge
#
# Honours XDG_CONFIG_HOME and XDG_DATA_HOME (the hub finds the same dirs through platformdirs).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin_dir="$HOME/.local/bin"
config_home="${XDG_CONFIG_HOME:-$HOME/.config}"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
config_dir="$config_home/tcf-hub"
data_dir="$data_home/tcf-hub"
unit="$config_home/systemd/user/tcf-hub.service"
desktop="$data_home/applications/tcf-hub.desktop"
icons="$data_home/icons/hicolor"

action=install
service=no
purge=no
binary=""

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --service) service=yes ;;
        --uninstall) action=uninstall ;;
        --purge) purge=yes ;;
        --binary) [ $# -ge 2 ] || usage; binary=$2; shift ;;
        --binary=*) binary=${1#--binary=} ;;
        -h|--help) usage ;;
        *) printf 'install.sh: unknown option %s\n' "$1" >&2; usage ;;
    esac
    shift
done
[ "$purge" = no ] || [ "$action" = uninstall ] || die "--purge goes with --uninstall"

# systemctl --user only works inside a user session (not in containers or over plain su).
user_systemd() { command -v systemctl >/dev/null 2>&1 && systemctl --user show-environment >/dev/null 2>&1; }

find_first() {  # the first existing path among the arguments
    for candidate in "$@"; do
        if [ -e "$candidate" ]; then printf '%s\n' "$candidate"; return 0; fi
    done
    return 1
}

install_hub() {
    if [ -z "$binary" ]; then
        binary=$(find_first "$here/tcf-hub" "$here/../dist/tcf-hub") \
            || die "no tcf-hub binary next to install.sh or in dist/ (run 'make package' or pass --binary PATH)"
    fi
    [ -f "$binary" ] || die "no such binary: $binary"
    version=$("$binary" --version) || die "$binary does not run on this machine"

    mkdir -p "$bin_dir" "$config_dir" "$data_home/applications"
    mkdir -p "$data_dir" && chmod 700 "$data_dir"
    tmp="$bin_dir/.tcf-hub.new.$$"
    cp "$binary" "$tmp" && chmod 755 "$tmp" && mv -f "$tmp" "$bin_dir/tcf-hub"  # atomic: a running hub keeps its file
    say "Installed $version to $bin_dir/tcf-hub"

    # Example config to edit; an existing file is never overwritten (a missing one means defaults).
    defaults=$(find_first "$here/config" "$here/../config") || defaults=""
    for name in monitoring.yml alerts.yml; do
        if [ -n "$defaults" ] && [ -f "$defaults/$name" ] && [ ! -e "$config_dir/$name" ]; then
            cp "$defaults/$name" "$config_dir/$name"
        fi
    done
    say "Config: $config_dir   Data: $data_dir"

    icon_src=$(find_first "$here/icons" "$here/../frontend/public/icons") || icon_src=""
    for size in 192 512; do
        if [ -n "$icon_src" ] && [ -f "$icon_src/icon-$size.png" ]; then
            mkdir -p "$icons/${size}x${size}/apps"
            cp "$icon_src/icon-$size.png" "$icons/${size}x${size}/apps/tcf-hub.png"
        fi
    done
    # The desktop session's PATH may lack ~/.local/bin: the entry names the binary in full,
    # quoted in Exec as the Desktop Entry spec wants for paths with spaces.
    sed -e "s|^Exec=tcf-hub |Exec=\"$bin_dir/tcf-hub\" |" -e "s|^TryExec=tcf-hub$|TryExec=$bin_dir/tcf-hub|" \
        "$here/tcf-hub.desktop" > "$desktop"
    chmod 644 "$desktop"
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$data_home/applications" >/dev/null 2>&1 || true
    fi
    say "Desktop entry: $desktop (runs 'tcf-hub open')"

    if [ "$service" = yes ]; then
        mkdir -p "$(dirname "$unit")"
        cp "$here/tcf-hub.service" "$unit"
        if user_systemd; then
            systemctl --user daemon-reload
            systemctl --user enable --now tcf-hub.service
            say "Service: $unit (enabled and started)"
        else
            say "Service: $unit written; no systemd user session here, so start it later with"
            say "  systemctl --user enable --now tcf-hub.service"
        fi
    fi
    case ":$PATH:" in
        *":$bin_dir:"*) ;;
        *) say "Note: $bin_dir is not on your PATH; add it to run 'tcf-hub' by name." ;;
    esac
    say "Open the dashboard: tcf-hub open (or the tcf-hub icon in your applications)"
}

uninstall_hub() {
    if [ -f "$unit" ]; then
        if user_systemd; then
            systemctl --user disable --now tcf-hub.service >/dev/null 2>&1 || true
        fi
        rm -f "$unit"
        if user_systemd; then systemctl --user daemon-reload || true; fi
        say "Removed the service $unit"
    fi
    pid_file="$data_dir/tcf-hub.pid"  # a hub started by 'tcf-hub open'
    if [ -f "$pid_file" ]; then
        pid=$(cat "$pid_file")
        if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q ' serve'; then
            kill -TERM "$pid" && say "Stopped the hub (pid $pid)"
        fi
        rm -f "$pid_file"
    fi
    rm -f "$bin_dir/tcf-hub" "$desktop" "$icons/192x192/apps/tcf-hub.png" "$icons/512x512/apps/tcf-hub.png"
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$data_home/applications" >/dev/null 2>&1 || true
    fi
    say "Removed $bin_dir/tcf-hub, the desktop entry and icons"
    if [ "$purge" = yes ]; then
        rm -rf "$config_dir" "$data_dir"
        say "Purged $config_dir and $data_dir"
    else
        say "Kept your config ($config_dir) and data ($data_dir); --uninstall --purge removes them"
    fi
}

if [ "$action" = install ]; then install_hub; else uninstall_hub; fi
