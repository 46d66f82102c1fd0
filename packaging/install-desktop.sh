#!/bin/sh
# Register engage-desktop with the desktop, for this user only (no root needed):
# the launcher in the applications menu, its icon, the .engage file type
# (application/x-engage-workspace) and engage-desktop as the program that opens it.
#
#   install-desktop.sh install [EXE]   EXE: the program to run (default: the
#                                      engage-desktop beside this script, else
#                                      the one on PATH)
#   install-desktop.sh uninstall
#
# Ships in the bundle (engage-desktop/desktop/) and runs from packaging/ in a
# checkout (make install-desktop / make uninstall-desktop). Uses xdg-utils
# (xdg-mime, xdg-desktop-menu, xdg-icon-resource), which honour XDG_DATA_HOME.
set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
find_file() {  # the first of the given paths that exists
    for candidate in "$@"; do
        if [ -f "$candidate" ]; then printf '%s\n' "$candidate"; return 0; fi
    done
    echo "install-desktop: missing $1; run this script from the bundle or the checkout" >&2
    exit 1
}
desktop_in=$(find_file "$here/engage-desktop.desktop")
mime_xml=$(find_file "$here/engage-desktop-workspace.xml")
icon48=$(find_file "$here/engage-desktop-48.png" "$here/../resources/icons/engage-desktop-48.png")
icon256=$(find_file "$here/engage-desktop-256.png" "$here/../resources/icons/engage-desktop-256.png")

for tool in xdg-mime xdg-desktop-menu xdg-icon-resource; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "install-desktop: $tool not found; install xdg-utils (e.g. apt install xdg-utils)" >&2
        exit 1
    fi
done

case "${1:-}" in
install)
    exe=${2:-}
    if [ -z "$exe" ]; then
        if [ -x "$here/../engage-desktop" ]; then
            exe=$(CDPATH='' cd -- "$here/.." && pwd)/engage-desktop
        elif command -v engage-desktop >/dev/null 2>&1; then
            exe=$(command -v engage-desktop)
        else
            echo "install-desktop: no engage-desktop program found; give its path" >&2
            exit 1
        fi
    fi
    if [ ! -x "$exe" ]; then
        echo "install-desktop: $exe is not an executable program" >&2
        exit 1
    fi
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # The launcher runs this very program: the Exec and TryExec lines get its full
    # path, quoted as the Desktop Entry spec asks (a path may contain spaces).
    quoted=$(printf '%s' "$exe" | sed 's/[\\"`$]/\\&/g')
    sed -e "s|^Exec=.*|Exec=\"$quoted\" %f|" -e "s|^TryExec=.*|TryExec=$exe|" \
        "$desktop_in" >"$tmp/engage-desktop.desktop"
    xdg-icon-resource install --mode user --noupdate --novendor --size 48 "$icon48" engage-desktop
    xdg-icon-resource install --mode user --noupdate --novendor --size 256 "$icon256" engage-desktop
    xdg-icon-resource install --mode user --noupdate --novendor --context mimetypes --size 48 \
        "$icon48" application-x-engage-workspace
    xdg-icon-resource install --mode user --noupdate --novendor --context mimetypes --size 256 \
        "$icon256" application-x-engage-workspace
    xdg-icon-resource forceupdate --mode user
    xdg-mime install --mode user --novendor "$mime_xml"
    xdg-desktop-menu install --mode user --novendor "$tmp/engage-desktop.desktop"
    xdg-mime default engage-desktop.desktop application/x-engage-workspace
    echo "installed: .engage files open with $exe"
    ;;
uninstall)
    xdg-desktop-menu uninstall --mode user --novendor engage-desktop.desktop
    xdg-mime uninstall --mode user --novendor "$mime_xml"
    for size in 48 256; do
        xdg-icon-resource uninstall --mode user --noupdate --size "$size" engage-desktop
        xdg-icon-resource uninstall --mode user --noupdate --context mimetypes --size "$size" \
            application-x-engage-workspace
    done
    xdg-icon-resource forceupdate --mode user
    # xdg-mime default wrote these lines; the launcher they name is gone.
    for apps in "${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list" \
        "${XDG_DATA_HOME:-$HOME/.local/share}/applications/defaults.list"; do
        if [ -f "$apps" ]; then
            sed -i '/^application\/x-engage-workspace=engage-desktop\.desktop;*$/d' "$apps"
        fi
    done
    echo "uninstalled: the launcher, the icons and the .engage file type"
    ;;
*)
    echo "usage: install-desktop.sh install [EXE] | uninstall" >&2
    exit 2
    ;;
esac
