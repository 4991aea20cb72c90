#!/bin/sh
# Runs the Python reader's tests against the package as pip installs it (not the source
# tree), on a machine with only python3 and access to PyPI:
#
#   python/run_tests.sh [PYTEST ARGS...]
#
# The venv is made in a temporary folder and removed afterwards, unless SOMNIA_PY_VENV
# names one to make or reuse (faster on a second run: nothing to download). Exit status:
# pytest's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv=${SOMNIA_PY_VENV:-$work/venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
pip() { "$venv/bin/python" -m pip --disable-pip-version-check --quiet "$@"; }
pip install numpy pandas pytest
# The package as built from this tree (a copy, so the build leaves nothing in the tree),
# replacing whatever an earlier run installed.
mkdir "$work/src"
cp -R "$here/pyproject.toml" "$here/README.md" "$here/somnia_reader" "$work/src/"
pip install --force-reinstall --no-deps "$work/src"
"$venv/bin/python" -c 'import numpy, pandas, somnia_reader as s; print(f"somnia_reader {s.__version__} from {s.__file__}; numpy {numpy.__version__}, pandas {pandas.__version__}")'
# From an empty folder, so `import somnia_reader` finds the installed package.
cd "$work"
"$venv/bin/python" -I -m pytest -p no:cacheprovider --rootdir "$here" "$here/tests" "$@"
