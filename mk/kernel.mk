# mk/kernel.mk — `make kernel`: the default guest kernel (kernel-config/*.conf
# on the pinned linux-source-6.1) into out/kernel, through the user's cache.
.PHONY: kernel
kernel: $(BIN)
	$(Q)tools/install-deps.sh deps/build*.txt deps/check-kernel.txt
	$(Q)$(BIN) kernel build -o out/kernel
