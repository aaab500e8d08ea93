#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest line on Node 20) into
# .tools/code-server/ for the VS Code extension's end-to-end tests. Works with only the npm
# registry and Debian's packages reachable: code-server's own postinstall downloads ripgrep and
# prebuilt binaries, so we skip it and rebuild the native modules from source instead
# (steps from shared/docs/PLATFORM-NOTES.md, "VS Code extension").
#
# Needs apt packages: ripgrep libkrb5-dev (and chromium for the tests that drive it).
# Idempotent: a finished install leaves a stamp file and later runs return at once.
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.tools/code-server"
STAMP="$DEST/.installed-$VERSION"

if [[ -f "$STAMP" && -x "$DEST/node_modules/.bin/code-server" ]]; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi

if ! command -v rg >/dev/null 2>&1; then
  echo "install-code-server: ripgrep is missing (apt-get install -y ripgrep libkrb5-dev)" >&2
  exit 1
fi
if [[ ! -f /usr/include/gssapi/gssapi.h && ! -f /usr/include/krb5.h ]]; then
  echo "install-code-server: Kerberos headers are missing (apt-get install -y libkrb5-dev)" >&2
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
cat > package.json <<'JSON'
{ "name": "stipple-code-server", "private": true, "version": "0.0.0" }
JSON
# An .npmrc of our own so the repo's settings (and allowScripts) do not apply here.
: > .npmrc

echo "== npm install code-server@$VERSION (scripts skipped)"
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
npm rebuild argon2

VSCODE="$DEST/node_modules/code-server/lib/vscode"
echo "== VS Code's own dependencies"
(cd "$VSCODE" && npm install --no-audit --no-fund --omit=dev --ignore-scripts)
(cd "$VSCODE" && npm rebuild @parcel/watcher @vscode/spdlog native-watchdog @vscode/deviceid kerberos)
(cd "$VSCODE" && npm_config_yes=true npm rebuild node-pty)

mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VSCODE/node_modules.asar"
ln -sfn code-linux.sh "$VSCODE/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VSCODE/bin/helpers/browser.sh"

echo "== built-in extensions' dependencies"
(cd "$VSCODE/extensions" && npm install --no-audit --no-fund --omit=dev)

"$DEST/node_modules/.bin/code-server" --version
touch "$STAMP"
echo "code-server $VERSION installed in $DEST"
