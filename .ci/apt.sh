# Sourced by the ci-deps scripts: run a command as root (directly, or through
# sudo -n when not root), and install Debian packages non-interactively.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    echo "ci-deps: need root or sudo for: $*" >&2
    return 1
  fi
}

apt_install() {
  echo "ci-deps: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q "$@"
}
