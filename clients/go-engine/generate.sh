#!/usr/bin/env bash
# Go stubs for the data plane from the repository's proto/, with the standard plugins: protoc
# (Debian's protobuf-compiler), protoc-gen-go and protoc-gen-go-grpc (Go module proxy). The M
# options give the files a Go package (dataplanev1, in this module) without editing the protos;
# buf/validate's Go code comes from its published module (go mod tidy fetches it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PROTO=${PROTO:-../../proto}
MODULE=$(go list -m)
M=()
for f in $(cd "$PROTO" && ls neliti/dataplane/v1/*.proto); do
  M+=("--go_opt=M$f=$MODULE/dataplanev1" "--go-grpc_opt=M$f=$MODULE/dataplanev1")
done
rm -rf dataplanev1
protoc -I "$PROTO" --go_out=. --go_opt=module="$MODULE" --go-grpc_out=. --go-grpc_opt=module="$MODULE" "${M[@]}" "$PROTO"/neliti/dataplane/v1/*.proto
