#!/bin/sh
# record-release.sh DIR KEYDIR RECORDS — keep the record of a published
# release: copy the manifest, its signatures, the SUMS files, the
# measurements and the recipe of the signed release DIR (not the images)
# into RECORDS/NAME-SEED12/, and the public keys into RECORDS/../keys/
# (once; an existing different key is an error: rotating a key is a
# deliberate, reviewed change). See releases/README.md.
set -eu
dir=$1 keys=$2 records=$3
seed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["predicate"]["seed"][:12])' "$dir/manifest.intoto.json")
name=$(sed -n 's/^Name=//p' "$dir/recipe.ini")
dest=$records/$name-$seed
mkdir -p "$dest" "$records/../keys"
for f in manifest.intoto.json manifest.dsse.json manifest.sigstore.json SHA256SUMS \
	SHA256SUMS.minisig SHA384SUMS SHA384SUMS.minisig measurements.json recipe.ini; do
	[ -f "$dir/$f" ] && cp "$dir/$f" "$dest/$f"
done
for k in dsse.pub minisign.pub; do
	if [ -f "$records/../keys/$k" ]; then
		cmp -s "$keys/$k" "$records/../keys/$k" || {
			echo "record-release: $keys/$k differs from $records/../keys/$k (key rotation is a reviewed change)" >&2
			exit 1
		}
	else
		cp "$keys/$k" "$records/../keys/$k"
	fi
done
echo "release: recorded in $dest (public keys in $(cd "$records/../keys" && pwd))"
