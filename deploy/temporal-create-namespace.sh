#!/bin/sh
# Creates the `default` namespace and Tandem's search attributes (idempotent).
set -eu
temporal operator namespace describe --namespace default >/dev/null 2>&1 \
  || temporal operator namespace create --namespace default --retention 7d
for attribute in TandemOrg TandemPhase; do
  temporal operator search-attribute create --namespace default --name "$attribute" --type Keyword || true
done
