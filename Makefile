# MicroGuard: build, test, demo and benchmarks.
# Every target installs what it needs itself (Debian packages, a project venv,
# MicroPython's Debian source package); re-runs only redo what changed.

ROOT   := $(CURDIR)
STATE  := $(ROOT)/.state
VENV   := $(ROOT)/.venv
MP     := $(ROOT)/build/micropython
PY     := $(VENV)/bin/python3
export PATH := $(VENV)/bin:$(PATH)
export STATE_DIR := $(STATE)

ROUTER_ARCHS := mips mipsel armhf aarch64
NATMOD_ARCHS := x64 armv6m armv7m armv7emsp rv32imc
BOARDS       := qemu-mps2-an385 qemu-mps2-an386

# musl via zig, like OpenWrt: static, soft-float on MIPS.
# mips32r2 is the ISA of OpenWrt's 24Kc/74Kc (LLVM has no 24kc CPU name); it
# turns on rotr/wsbh, which the MIPS assembly in natmods/wgcrypto requires.
ZIG_TARGET_mips    := mips-linux-musleabi
ZIG_CPU_mips       := -mcpu=mips32r2
ZIG_TARGET_mipsel  := mipsel-linux-musleabi
ZIG_CPU_mipsel     := -mcpu=mips32r2
ZIG_TARGET_armhf   := arm-linux-musleabihf
ZIG_CPU_armhf      := -mthumb
ZIG_TARGET_aarch64 := aarch64-linux-musl
ZIG_CPU_aarch64    :=

UNIX_OPTS := FROZEN_MANIFEST= MICROPY_PY_FFI=0 MICROPY_SSL_AXTLS=0 MICROPY_SSL_MBEDTLS=0 \
             MICROPY_PY_SSL=0 MICROPY_PY_BTREE=0 USER_C_MODULES=$(ROOT)/natmods PROG=micropython

NATMOD_SRC := $(wildcard natmods/*/*.c natmods/*/*.h natmods/*/*.S natmods/*/*.mk natmods/*/Makefile)
APT_STAMP  := $(STATE)/apt.ok
VENV_STAMP := $(VENV)/.requirements.ok
MP_STAMP   := $(MP)/.unpacked
DEPS       := $(APT_STAMP) $(VENV_STAMP) $(MP_STAMP)

UNIX_X64     := build/unix-x64/micropython
ROUTER_BINS  := $(foreach a,$(ROUTER_ARCHS),build/unix-$(a)/micropython)
NATMODS      := $(foreach a,$(NATMOD_ARCHS),build/natmods/$(a)/wgcrypto.mpy)
BOARD_ELFS   := $(foreach b,$(BOARDS),build/boards/$(b)/firmware.elf) \
                build/boards/qemu-mps2-an386-builtin/firmware.elf \
                build/boards/qemu-virt-rv32/firmware.elf
M0_HARNESS   := build/m0harness/m0harness.elf
# Stock firmware (nothing of MicroGuard in it), stock unix port and the mip package tree.
STOCK_BUILDS := build/boards/qemu-mps2-an386-stock/firmware.elf build/unix-x64-stock/micropython build/mip/.built

.PHONY: all deps build test test-quick demo bench bench-crypto bench-tunnel clean distclean help
all: build

help:
	@echo "make build         build every target (host, routers, native modules, boards)"
	@echo "make deps          only what the builds need: Debian packages, .venv, MicroPython source"
	@echo "make test          install, build and run the whole test suite"
	@echo "make test-quick    crypto tests on the host build only"
	@echo "make demo          the main job: site-to-site WireGuard, MicroGuard against wireguard-go"
	@echo "make demo-board    the emulated board against wireguard-go"
	@echo "make test-board    the emulated board tests (tests/board)"
	@echo "make bench         all benchmarks (bench-crypto, bench-tunnel)"
	@echo "make bench-crypto  crypto speed and instruction counts, in build/bench"
	@echo "make bench-tunnel  tunnel throughput"
	@echo "make bench-board   the emulated board: speed and heap"
	@echo "make package       OpenWrt .ipk packages in build/packages/openwrt"
	@echo "make fuzz          seeded fuzzing of every parser, FUZZ_CASES (100000) each (not in make test)"
	@echo "make soak          SOAK_SECONDS (600) of iperf3 both ways through two daemons, x64 and mipsel"
	@echo "make clean         remove the builds (keeps .venv, .state and MicroPython's source)"
	@echo "make distclean     remove build, .venv and .state"

deps: $(DEPS)

# Re-checked on every run: the script keeps its own stamp keyed on the package list.
$(APT_STAMP): scripts/apt-packages.txt scripts/install-apt.sh
	@./scripts/install-apt.sh
	@mkdir -p $(STATE) && touch $@

$(VENV_STAMP): scripts/requirements.txt host-tools/pyproject.toml | $(APT_STAMP)
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -r scripts/requirements.txt
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -e host-tools
	@touch $@

$(MP_STAMP): | $(APT_STAMP)
	@./scripts/fetch-micropython.sh $(MP)

# Two jobs by default: the builds are independent and the machines have two cores.
JOBS ?= 2
build: | $(DEPS)
	@$(MAKE) --no-print-directory -j$(JOBS) build-all

.PHONY: build-all
build-all: $(UNIX_X64) $(ROUTER_BINS) $(NATMODS) $(BOARD_ELFS) build/bin/microguard $(M0_HARNESS) $(STOCK_BUILDS)

# The router daemon for the host build: the unix port running firmware/microguard.
# MICROGUARD_ARCH=mipsel (or mips, armhf, aarch64) runs the static router build under qemu-user instead.
build/bin/microguard: scripts/microguard.in
	@mkdir -p $(dir $@)
	@sed 's|@ROOT@|$(ROOT)|g' $< > $@ && chmod +x $@

# Bare-metal Cortex-M0 harness: the wgcrypto sources on QEMU -M microbit
# (tests/crypto/test_m0_board.py).
$(M0_HARNESS): $(wildcard tests/crypto/m0harness/*) $(NATMOD_SRC) | $(DEPS)
	@echo "build: Cortex-M0 crypto harness"
	@mkdir -p $(dir $@)
	@$(MAKE) -s -C tests/crypto/m0harness OUT=$(ROOT)/$@ > build/m0harness.log 2>&1 \
		|| { tail -30 build/m0harness.log; exit 1; }
	@touch $@

$(UNIX_X64): $(NATMOD_SRC) | $(DEPS)
	@echo "build: unix x64 (wgcrypto built in)"
	@$(MAKE) -s -C $(MP)/ports/unix $(UNIX_OPTS) BUILD=$(ROOT)/build/unix-x64 > build/unix-x64.log 2>&1 \
		|| { tail -30 build/unix-x64.log; exit 1; }
	@touch $@

build/unix-%/micropython: $(NATMOD_SRC) scripts/zigcc | $(DEPS)
	@echo "build: unix $* (static musl, $(ZIG_TARGET_$*))"
	@mkdir -p $(dir $@)
	@ZIG_TARGET=$(ZIG_TARGET_$*) ZIG_CPUFLAGS="$(ZIG_CPU_$*)" \
	$(MAKE) -s -C $(MP)/ports/unix $(UNIX_OPTS) BUILD=$(ROOT)/build/unix-$* \
		CC=$(ROOT)/scripts/zigcc CPP="$(ROOT)/scripts/zigcc -E" LD=$(ROOT)/scripts/zigcc \
		STRIP=true SIZE=true LDFLAGS_EXTRA="-static -s" LDFLAGS_ARCH=-Wl,--gc-sections \
		> build/unix-$*.log 2>&1 || { tail -30 build/unix-$*.log; exit 1; }
	@touch $@

build/natmods/%/wgcrypto.mpy: $(NATMOD_SRC) | $(DEPS)
	@echo "build: wgcrypto.mpy for $*"
	@mkdir -p $(dir $@)
	@$(MAKE) -s -C natmods/wgcrypto ARCH=$* MPY_DIR=$(MP) BUILD=$(ROOT)/build/natmods/$*/obj \
		OUT=$(ROOT)/$@ > build/natmods/$*.log 2>&1 || { tail -30 build/natmods/$*.log; exit 1; }

BOARD_SRC := $(wildcard board/*/port/* board/shared/qemu-mps2/* firmware/wireguard/*.py firmware/mgboard/*.py \
                        board/*/manifest.py firmware/*/manifest.py)

# Freezing needs mpy-cross; built on its own so the board's BUILD= is not inherited.
MPY_CROSS := $(MP)/mpy-cross/build/mpy-cross
$(MPY_CROSS): | $(DEPS)
	@echo "build: mpy-cross"
	@env -u MAKEFLAGS $(MAKE) -s -C $(MP)/mpy-cross > build/mpy-cross.log 2>&1 || { tail -30 build/mpy-cross.log; exit 1; }

# The board application as .mpy for Xtensa (ESP32, ESP32-S3: no C toolchain for them here,
# so wgcrypto_viper is their fast crypto and its machine code is generated on every build),
# and the crypto fallbacks for the emulated boards' CPUs, which load them in tests/crypto.
# mpy-cross reports native-code errors (e.g. an Xtensa branch out of range) and still exits
# 0, so any output fails the build.
APP_MPY_PY := $(filter-out %/manifest.py,$(wildcard firmware/wireguard/*.py firmware/mgboard/*.py)) \
              firmware/wgcrypto_pure.py firmware/wgcrypto_viper.py
FALLBACK_MPY_ARCHS := armv7m armv7emsp rv32imc
APP_MPY := $(patsubst firmware/%.py,build/mpy/xtensawin/%.mpy,$(APP_MPY_PY)) \
           $(foreach a,$(FALLBACK_MPY_ARCHS),build/mpy/$(a)/wgcrypto_pure.mpy build/mpy/$(a)/wgcrypto_viper.mpy)
build-all: $(APP_MPY)

# micropython-lib's umqtt.simple, the MQTT client the board tests hand the tunnel's
# socket to. Debian's MicroPython source package leaves micropython-lib out, so it
# comes from its PyPI release, checked against a pinned hash.
UMQTT := build/pylib/umqtt/simple.py
UMQTT_URL := https://files.pythonhosted.org/packages/bd/cf/697e3418b2f44222b3e848078b1e33ee76aedca9b6c2430ca1b1aec1ce1d/micropython-umqtt.simple-1.3.4.tar.gz
UMQTT_SHA256 := b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f
$(UMQTT): | $(DEPS)
	@echo "fetch: umqtt.simple 1.3.4 (micropython-lib, PyPI)"
	@mkdir -p build/pylib/dl $(dir $@)
	@curl -fsSL --retry 3 -o build/pylib/dl/umqtt.tar.gz $(UMQTT_URL)
	@echo "$(UMQTT_SHA256)  build/pylib/dl/umqtt.tar.gz" | sha256sum -c --quiet
	@tar -xzf build/pylib/dl/umqtt.tar.gz -C build/pylib/dl
	@cp build/pylib/dl/micropython-umqtt.simple-1.3.4/umqtt/simple.py $@
build-all: $(UMQTT)
bench-board: build/mpy/armv7emsp/wgcrypto_pure.mpy build/mpy/armv7emsp/wgcrypto_viper.mpy
mpy_compile = @mkdir -p $(dir $@) && out=$$($(MPY_CROSS) -march=$(1) -o $@ $< 2>&1) && [ -z "$$out" ] \
	|| { echo "$<: $$out"; rm -f $@; exit 1; }
build/mpy/xtensawin/%.mpy: firmware/%.py | $(MPY_CROSS)
	$(call mpy_compile,xtensawin)
build/mpy/armv7m/%.mpy: firmware/%.py | $(MPY_CROSS)
	$(call mpy_compile,armv7m)
build/mpy/armv7emsp/%.mpy: firmware/%.py | $(MPY_CROSS)
	$(call mpy_compile,armv7emsp)
build/mpy/rv32imc/%.mpy: firmware/%.py | $(MPY_CROSS)
	$(call mpy_compile,rv32imc)

# One emulated-board firmware: $(1) board folder, $(2) build folder, $(3) extra port make variables.
define build_board_firmware
	@mkdir -p $(dir $@)
	@$(MAKE) -s -C $(MP)/ports/qemu BOARD_DIR=$(ROOT)/board/$(1)/port BUILD=$(ROOT)/build/boards/$(2) \
		FROZEN_MANIFEST=$(ROOT)/board/shared/qemu-mps2/manifest.py $(3) \
		> build/boards/$(2).log 2>&1 || { tail -30 build/boards/$(2).log; exit 1; }
	@touch $@
endef

build/boards/%/firmware.elf: $(BOARD_SRC) | $(DEPS) $(MPY_CROSS)
	@echo "build: board $*"
	$(call build_board_firmware,$*,$*,)

# The same board with wgcrypto linked into the firmware (a built-in user C
# module) instead of uploaded as a .mpy: the module's code then stays in flash,
# where MicroPython would copy a .mpy's code into the GC heap. Static pattern
# rule, so it takes precedence over the generic board rule above.
USERMODS_BOARD := $(ROOT)/build/usermods-board
build/boards/qemu-mps2-an386-builtin/firmware.elf: build/boards/%-builtin/firmware.elf: $(BOARD_SRC) $(NATMOD_SRC) | $(DEPS) $(MPY_CROSS)
	@echo "build: board $* with wgcrypto built in"
	@mkdir -p $(USERMODS_BOARD)
	@ln -sfn $(ROOT)/natmods/wgcrypto $(USERMODS_BOARD)/wgcrypto
	$(call build_board_firmware,$*,$*-builtin,USER_C_MODULES=$(USERMODS_BOARD))

# RISC-V: MicroPython's VIRT_RV32 (QEMU virt) with what stock ESP32 firmware
# adds (board/qemu-virt-rv32/port); nothing of MicroGuard frozen in.
build/boards/qemu-virt-rv32/firmware.elf: $(wildcard board/qemu-virt-rv32/port/*) $(addprefix board/shared/qemu-mps2/,flash.c boot.c semihost.h semihost_cmdline.c interrupt.c console_intr.h _boot.py) | $(DEPS) $(MPY_CROSS)
	@echo "build: board qemu-virt-rv32"
	@mkdir -p $(dir $@)
	@# A build folder from before the board had littlefs keeps qstrs without it: regenerate them.
	@grep -qs VfsLfs2 build/boards/qemu-virt-rv32/genhdr/qstrdefs.generated.h || rm -rf \
		build/boards/qemu-virt-rv32/genhdr build/boards/qemu-virt-rv32/frozen_content.c build/boards/qemu-virt-rv32/frozen_mpy
	@$(MAKE) -s -C $(MP)/ports/qemu BOARD=VIRT_RV32 BOARD_DIR=$(ROOT)/board/qemu-virt-rv32/port BUILD=$(ROOT)/build/boards/qemu-virt-rv32 \
		> build/boards/qemu-virt-rv32.log 2>&1 || { tail -30 build/boards/qemu-virt-rv32.log; exit 1; }
	@touch $@

# A stock firmware for the AN386 board, as a real board ships: flash filesystem, UARTs,
# entropy, Ctrl-C and asyncio, nothing of MicroGuard (`mgtool provision` or mip installs it).
build/boards/qemu-mps2-an386-stock/firmware.elf: build/boards/%-stock/firmware.elf: $(BOARD_SRC) | $(DEPS) $(MPY_CROSS)
	@echo "build: board $* stock (nothing of MicroGuard frozen)"
	$(call build_board_firmware,$*,$*-stock,FROZEN_MANIFEST=$(ROOT)/board/shared/qemu-mps2/manifest_stock.py)

# The unix port as MicroPython ships it (no wgcrypto built in, no frozen mip): the mip tests
# install MicroGuard into it with micropython-lib's own mip.
build/unix-x64-stock/micropython: board/shared/manifest_unix_stock.py | $(DEPS) $(MPY_CROSS)
	@echo "build: unix x64 stock"
	@$(MAKE) -s -C $(MP)/ports/unix FROZEN_MANIFEST=$(ROOT)/board/shared/manifest_unix_stock.py MICROPY_PY_FFI=0 \
		MICROPY_SSL_AXTLS=0 MICROPY_SSL_MBEDTLS=0 MICROPY_PY_SSL=0 MICROPY_PY_BTREE=0 PROG=micropython BUILD=$(ROOT)/build/unix-x64-stock \
		> build/unix-x64-stock.log 2>&1 || { tail -30 build/unix-x64-stock.log; exit 1; }
	@touch $@

# mip packages (package.json per package, one per board, natmods per arch) from the manifests.
build/mip/.built: $(BOARD_SRC) $(wildcard firmware/*.py firmware/*/*.py host-tools/mgtool/*.py) $(NATMODS) | $(DEPS) $(MPY_CROSS)
	@echo "build: mip packages"
	@$(PY) -m mgtool.mippkg --out build/mip
	@touch $@

# OpenWrt .ipk packages (one per package arch in board/openwrt-*), built without the SDK.
.PHONY: package
package: $(ROUTER_BINS) $(MPY_CROSS)
	@$(PY) packaging/openwrt/build_ipk.py --out build/packages/openwrt

# Two workers: most tests wait on a single-threaded emulator.  A test that
# hangs fails after TEST_TIMEOUT seconds instead of stalling the run.
# loadfile: a module's tests share one booted board or console and build on
# each other (a key made by one is checked by the next), so a file runs whole
# on one worker.
TEST_WORKERS ?= 2
TEST_TIMEOUT ?= 1200
PYTEST = $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile --timeout $(TEST_TIMEOUT) --durations=15

test: build
	@$(PYTEST) tests

# The crypto tests on the host build only: a fast loop while developing.
test-quick: $(UNIX_X64) $(NATMODS)
	@$(VENV)/bin/pytest -q tests -k "x64 or host"

demo: build
	@./scripts/demo-site-to-site.sh

bench: bench-crypto bench-tunnel

bench-tunnel: build
	@$(PY) tests/bench/bench_tunnel.py

bench-crypto: build
	@$(PY) tests/bench/bench_crypto.py

clean:
	rm -rf build/unix-* build/natmods build/boards build/bench build/m0harness build/*.log

distclean:
	rm -rf build .venv .state

# Emulated microcontroller board against wireguard-go (issue 5).
BOARD_DEMO_DEPS := build/boards/qemu-mps2-an386/firmware.elf build/natmods/armv7emsp/wgcrypto.mpy \
                   build/boards/qemu-mps2-an386-stock/firmware.elf $(MPY_CROSS) $(UMQTT)

.PHONY: demo-board bench-board test-board
demo-board: $(BOARD_DEMO_DEPS)
	@$(PY) tests/board/demo_board.py

bench-board: $(BOARD_DEMO_DEPS) build/boards/qemu-mps2-an386-builtin/firmware.elf $(MPY_CROSS)
	@$(PY) tests/bench/bench_board.py

test-board: $(BOARD_DEMO_DEPS)
	@$(VENV)/bin/pytest -q tests/board

# Fuzzing (tests/fuzz) and a soak of two MicroGuard daemons over a lossy,
# reordering, duplicating link (tests/soak). Not part of `make test`, which
# runs a small seeded share of the fuzzing (tests/fuzz/test_fuzz.py).
FUZZ_CASES ?= 100000
FUZZ_SEED ?= 1
SOAK_SECONDS ?= 600
.PHONY: fuzz soak
fuzz: $(UNIX_X64) | $(DEPS)
	@$(PY) tests/fuzz/driver.py --cases $(FUZZ_CASES) --seed $(FUZZ_SEED)

soak: $(UNIX_X64) build/unix-mipsel/micropython build/bin/microguard
	@$(PY) tests/soak/soak.py --seconds $(SOAK_SECONDS) --arch x64
	@$(PY) tests/soak/soak.py --seconds $(SOAK_SECONDS) --arch mipsel
