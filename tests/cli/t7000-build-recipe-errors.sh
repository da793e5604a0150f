#!/bin/sh
# uvmkit build: every bad recipe is refused before any work with one line
# naming FILE:LINE (or the input), exit 1 (2 for usage), and nothing is
# left under the output name or beside it.
. "$(dirname "$0")/test-lib.sh"

# A valid base recipe whose inputs exist: small local files pinned by
# sha256 (only the pins and parsing matter here; nothing gets built).
test_expect_success 'setup' '
	mkdir -p in/overlay &&
	printf "kernel bytes" >in/vmlinuz &&
	printf "firmware bytes" >in/OVMF.fd &&
	printf "hello" >in/overlay/hello &&
	tar -C in/overlay -cf in/layer.tar hello &&
	k=$(sha256sum <in/vmlinuz | cut -d" " -f1) &&
	f=$(sha256sum <in/OVMF.fd | cut -d" " -f1) &&
	l=$(sha256sum <in/layer.tar | cut -d" " -f1) &&
	cat >base.ini <<-EOT
	[Recipe]
	Name=t
	Epoch=1
	[Kernel]
	File=in/vmlinuz
	Sha256=$k
	[Rootfs]
	Source=tar:in/layer.tar sha256:$l
	Source=in/overlay
	[Firmware]
	File=in/OVMF.fd
	Sha256=$f
	EOT
	uvmkit build -c base.ini --print-recipe >canon &&
	test_grep "^Source=tar:in/layer.tar sha256:$l\$" canon &&
	test_grep "^VCPUs=1\$" canon
'

# expect_error NAME WANT-STDERR: build the recipe NAME.ini, expect exit 1,
# exactly one stderr line WANT, and nothing written.
expect_error() {
	test_expect_code 1 uvmkit build -q -c "$1.ini" -o out/img 2>err &&
	echo "uvmkit build: $2" >want &&
	test_cmp want err &&
	! test -e out/img && ! ls -A out 2>/dev/null | grep -q .
}

# edit NAME SED-EXPR: NAME.ini = base.ini edited
edit() { sed -e "$2" base.ini >"$1.ini"; }

test_expect_success 'unknown key, with its line' '
	edit k "s/^Name=t/Name=t\nFlavour=x/" &&
	expect_error k "k.ini:3: unknown key '"'"'Flavour'"'"' in [Recipe]"
'
test_expect_success 'unknown section, even without keys' '
	edit s "\$a [Extras]" &&
	expect_error s "s.ini:13: unknown section [Extras]"
'
test_expect_success 'a key outside any section' '
	{ echo "Name=x"; cat base.ini; } >o.ini &&
	expect_error o "o.ini:1: key '"'"'Name'"'"' outside of a [Section]"
'
test_expect_success 'a single-valued key given twice' '
	edit d "s/^Epoch=1/Epoch=1\nEpoch=2/" &&
	expect_error d "d.ini:4: Epoch= given more than once in [Recipe]"
'
test_expect_success 'a line that is not key=value' '
	edit l "s/^Epoch=1/Epoch 1/" &&
	expect_error l "l.ini:3: expected [Section], Key=Value or a comment"
'
test_expect_success 'a line longer than libinih reads' '
	edit long "s/^Name=t/Name=$(printf %0200d 0)/" &&
	expect_error long "long.ini:2: line longer than 198 bytes (continue a value on an indented line)"
'
test_expect_success 'malformed values' '
	edit v1 "s/^Epoch=1/Epoch=yesterday/" &&
	expect_error v1 "v1.ini:3: Epoch: '"'"'yesterday'"'"' is not a number of seconds 0..4294967295" &&
	edit v2 "\$a [Measure]\nVCPUs=0-3" &&
	expect_error v2 "v2.ini:14: VCPUs: expected counts 1..512 and ranges, e.g. 1-8,16" &&
	edit v3 "\$a [Measure]\nCPUTypes=EPYC-Milan Pentium" &&
	expect_error v3 "v3.ini:14: CPUTypes: unknown CPU type '"'"'Pentium'"'"'" &&
	edit v4 "s/^Sha256=\(.\)/Sha256=X\1/" &&
	expect_error v4 "v4.ini:6: Sha256: expected 64 lowercase hex digits" &&
	edit v5 "s/ sha256:/ sha1:/" &&
	expect_error v5 "v5.ini:8: Source: '"'"'sha1:$(sha256sum <in/layer.tar | cut -d" " -f1)'"'"' is not sha256: and 64 lowercase hex digits" &&
	edit v6 "\$a [Disk]\nLayout=floppy" &&
	expect_error v6 "v6.ini:14: Layout: expected kata, gpt or none, got '"'"'floppy'"'"'"
'
test_expect_success 'missing sections and pins' '
	sed -e "/^\[Kernel\]/,/^Sha256/d" base.ini >nk.ini &&
	expect_error nk "nk.ini: [Kernel] needs File= (a bzImage) or Source= (kernel source to build)" &&
	sed -e "0,/^Sha256=/{/^Sha256=/d}" base.ini >np.ini &&
	expect_error np "np.ini: [Kernel] File= needs Sha256="
'
test_expect_success 'a file source without a pin fails before any work' '
	edit up "s/ sha256:[0-9a-f]*//" &&
	expect_error up "inputs: up.ini:8: tar:in/layer.tar: a file input needs a sha256: pin"
'
test_expect_success 'a mismatching pin names both digests' '
	cp in/vmlinuz vmlinuz.saved &&
	printf "other kernel" >in/vmlinuz &&
	expect_error base "inputs: base.ini:5: ./in/vmlinuz: sha256 $(sha256sum <in/vmlinuz | cut -d" " -f1) does not match the pin $(sha256sum <vmlinuz.saved | cut -d" " -f1)" &&
	cp vmlinuz.saved in/vmlinuz
'
test_expect_success 'a missing input' '
	edit mi "s#^File=in/OVMF.fd#File=in/nothing.fd#" &&
	expect_error mi "inputs: mi.ini:11: ./in/nothing.fd: No such file or directory"
'
test_expect_success 'a package missing from the downloads directory' '
	edit pk "s#^Source=in/overlay#Package=busybox-static 1:1.0-1 amd64 sha256:$(printf %064d 0)#" &&
	test_expect_code 1 uvmkit build -q -c pk.ini -o out/img --downloads-dir dl 2>err &&
	test_grep "^uvmkit build: inputs: pk.ini:9: package busybox-static=1:1.0-1 (amd64) is not in the downloads directory as dl/busybox-static_1.0-1_amd64.deb" err &&
	! test -e out/img
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 uvmkit build -c base.ini 2>err &&
	test_grep "no output directory" err &&
	test_expect_code 2 uvmkit build -c base.ini -o x extra 2>err &&
	test_expect_code 2 uvmkit build --jobs 0 -o x 2>err &&
	test_expect_code 1 uvmkit build -c nonexistent.ini -o x 2>err &&
	test_grep "nonexistent.ini" err
'
test_expect_success 'the default recipe parses and its canonical form is stable' '
	uvmkit build --print-recipe >d1 &&
	test_grep "^VCPUs=1-8\$" d1 &&
	test_grep "^CPUTypes=EPYC-v4 EPYC-Milan EPYC-Genoa\$" d1 &&
	test_grep "^Source=rootfs/minimal/overlay\$" d1 &&
	cp d1 d1.ini &&
	uvmkit build -c d1.ini --print-recipe >d2 &&
	test_cmp d1 d2
'
test_done
