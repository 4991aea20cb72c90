#!/usr/bin/env bash
# Sets up the peer simulators for the side-by-side benchmark, each in its own virtual
# environment under benches/peers/.venv-*/ (ignored by git; never part of the tests or CI):
#   Brian2 2.9.0 with numpy 2.3.5 (Brian2 2.9.0 fails to import with numpy 2.4), and
#   NEST 3.10 (the `nest-simulator` wheel on PyPI).
# Usage: benches/peers/setup.sh   (idempotent; re-running only checks the imports)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-python3}"

make_venv() {
  local dir="$1"; shift
  if [ ! -x "$dir/bin/python" ]; then
    "$py" -m venv "$dir"
    "$dir/bin/pip" install -q --upgrade pip
    "$dir/bin/pip" install -q "$@"
  fi
}

make_venv "$here/.venv-brian2" "brian2==2.9.0" "numpy==2.3.5"
make_venv "$here/.venv-nest" "nest-simulator==3.10.0" "numpy==2.3.5"

"$here/.venv-brian2/bin/python" -c "import brian2, numpy; print('brian2', brian2.__version__, 'numpy', numpy.__version__)"
"$here/.venv-nest/bin/python" -c "import nest; print('nest', nest.__version__)" 2>/dev/null | tail -1
