# lib-sign.sh — helpers shared by the signing tests t50*.sh (sourced after
# test-lib.sh). The real clients of specs/signing.md §4, run offline.

VEC="$SHARED/vectors/signing"

# A small release directory: artifacts with awkward but valid names.
make_release() {
	mkdir -p "$1" &&
	printf 'guest-os-image-bytes\n' >"$1/image.raw" &&
	printf 'second-artifact\n' >"$1/kernel.img" &&
	head -c 70000 /dev/zero | tr '\0' 'x' >"$1/disk image.raw" &&
	printf '' >"$1/empty"
}

# Install @sigstore/verify (+ @sigstore/bundle) with npm once into the build
# directory; later runs reuse it offline. No network and no cache = FAIL
# (never a silent skip). Sets SIGSTORE_NM to the node_modules directory.
SIGSTORE_PREFIX="$TOP/$BUILDDIR/cache/sigstore-js"
SIGSTORE_NM="$SIGSTORE_PREFIX/node_modules"
sigstore_setup() {
	[ -f "$SIGSTORE_NM/@sigstore/verify/package.json" ] &&
	[ -f "$SIGSTORE_NM/@sigstore/bundle/package.json" ] && return 0
	command -v npm >/dev/null || { echo "npm is missing (deps/check-sign.txt)"; return 1; }
	mkdir -p "$SIGSTORE_PREFIX" &&
	echo '{"name":"uvmkit-sigstore-verify","private":true}' >"$SIGSTORE_PREFIX/package.json" &&
	if ! npm install --prefix "$SIGSTORE_PREFIX" --no-audit --no-fund \
		@sigstore/verify@3.1.1 @sigstore/bundle@4.0.0 >"$TRASH/npm.log" 2>&1; then
		echo "npm install @sigstore/verify failed (is the npm registry reachable?):"
		tail -n 20 "$TRASH/npm.log"
		return 1
	fi
}

# node verify-bundle-offline.js PUB BUNDLE (prints OK/FAIL, exit status)
sigstore_verify() {
	node "$VEC/verify-bundle-offline.js" "$1" "$2" --nm "$SIGSTORE_NM"
}

# The openssl + jq DSSE recipe of the spec: ENVELOPE PUB [sha256|ed25519]
dsse_openssl() {
	"$VEC/verify-dsse-openssl.sh" "$@"
}

# Flip the lowest bit of byte N of a file (0-based).
flip_byte() {
	python3 -c '
import sys
p, n = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[n] ^= 1
open(p, "wb").write(b)' "$1" "$2"
}

# Flip one bit of the decoded signature (or payload) of a DSSE envelope or
# bundle: FIELD is sig or payload; the base64 stays well-formed.
flip_dsse() {
	python3 -c '
import base64, json, sys
p, field = sys.argv[1], sys.argv[2]
j = json.load(open(p))
e = j.get("dsseEnvelope", j)
tgt = e["signatures"][0] if field == "sig" else e
raw = bytearray(base64.b64decode(tgt[field]))
raw[len(raw) // 2] ^= 1
tgt[field] = base64.b64encode(bytes(raw)).decode()
open(p, "w").write(json.dumps(j))' "$1" "$2"
}

# Flip one bit of the decoded base64 on line LINE (2 or 4) of a .minisig.
flip_minisig() {
	python3 -c '
import base64, sys
p, n = sys.argv[1], int(sys.argv[2]) - 1
lines = open(p).read().split("\n")
raw = bytearray(base64.b64decode(lines[n]))
raw[-5] ^= 1
lines[n] = base64.b64encode(bytes(raw)).decode()
open(p, "w").write("\n".join(lines))' "$1" "$2"
}

# The interop clients are part of the test, not optional: a missing one is a
# failure (make check installs deps/check-sign.txt), never a skip.
sign_require() {
	for c; do
		command -v "$c" >/dev/null 2>&1 ||
			{ echo "FAIL: $c is not installed (deps/check-sign.txt)"; exit 1; }
	done
}
