# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run): what a fresh clone on a fresh
# Debian 12 needs before anything else. Every function prints what it does and why.

XSI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

xsi_say() { printf '%s\n' "$*" >&2; }

xsi_is_root() { [ "$(id -u)" = 0 ]; }

# Node >= 20.19 (package.json "engines"); nothing else can be installed for the user here.
xsi_require_node() {
  if ! command -v node >/dev/null 2>&1; then
    xsi_say "Node.js is not installed: this project needs Node >= 20.19 (https://nodejs.org/)."
    return 1
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    xsi_say "Node $(node --version) is too old: this project needs Node >= 20.19."
    return 1
  fi
}

# npm packages: `npm ci` when node_modules lacks something package-lock.json asks for (a fresh
# clone, or a pull that changed the lock), nothing otherwise (scripts/deps-current.mjs compares
# contents, not file times).
xsi_npm_packages() {
  local why
  if why="$(node "$XSI_ROOT/scripts/deps-current.mjs" "$XSI_ROOT" 2>&1)"; then
    return 0
  fi
  if [ -f "$XSI_ROOT/package-lock.json" ] && [ -d "$XSI_ROOT/node_modules" ]; then
    xsi_say "npm packages are not those of package-lock.json ($why): npm ci"
  fi
  if [ -f "$XSI_ROOT/package-lock.json" ]; then
    xsi_say "Installing npm packages (npm ci)..."
    (cd "$XSI_ROOT" && npm ci --no-audit --no-fund)
  else
    xsi_say "Installing npm packages (npm install)..."
    (cd "$XSI_ROOT" && npm install --no-audit --no-fund)
  fi
}

# Path of an executable, honouring an override variable (PROSODY_BIN, CHROMIUM_PATH) the way
# scripts/prosody.mjs and scripts/chromium.mjs do.
xsi_have_prosody() {
  if [ -n "${PROSODY_BIN:-}" ]; then [ -x "$PROSODY_BIN" ]; else command -v prosody >/dev/null 2>&1 && command -v prosodyctl >/dev/null 2>&1; fi
}
xsi_have_chromium() {
  [ -x "${CHROMIUM_PATH:-/usr/lib/chromium/chromium}" ]
}

# Debian packages given as arguments, when missing. As root: apt-get (update first, once). Not
# root: prints the exact line to run and returns 1.
xsi_apt_install() {
  [ "$#" -gt 0 ] || return 0
  if ! xsi_is_root; then
    xsi_say "Missing Debian packages: $*. Install them with:"
    xsi_say ""
    xsi_say "    sudo apt-get install -y $*"
    xsi_say ""
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    xsi_say "Missing packages: $* (and no apt-get here to install them: install them with your system's package manager)."
    return 1
  fi
  xsi_say "Installing Debian packages: $* (apt-get)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq "$@" >&2
}
