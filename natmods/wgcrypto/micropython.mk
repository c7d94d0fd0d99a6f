# Built-in user C module: USER_C_MODULES=<path to natmods>
WGCRYPTO_MOD_DIR := $(USERMOD_DIR)

WGCRYPTO_SRC := \
	modwgcrypto.c \
	chacha20.c \
	poly1305.c \
	poly1305_c32.c \
	poly1305_c64.c \
	poly1305_r13.c \
	chacha20poly1305.c \
	transport_batch.c \
	blake2s.c \
	hkdf_blake2s.c \
	curve25519.c \
	curve25519_fe_c32.c \
	curve25519_fe_c64.c \
	curve25519_r32.c \
	wgcrypto_arch.c

# CPU-specific assembly; each file is empty unless built for its CPU.
WGCRYPTO_ASM := $(notdir $(wildcard $(WGCRYPTO_MOD_DIR)/*.S))

SRC_USERMOD_C += $(addprefix $(WGCRYPTO_MOD_DIR)/,$(WGCRYPTO_SRC))
SRC_USERMOD_LIB_ASM += $(addprefix $(WGCRYPTO_MOD_DIR)/,$(WGCRYPTO_ASM))
CFLAGS_USERMOD += -I$(WGCRYPTO_MOD_DIR)

# Ports usually build with -Os; the primitives are worth -O2.  The flag is
# scoped to this module's objects so the rest of the firmware is unaffected.
$(addprefix $(BUILD)/$(notdir $(WGCRYPTO_MOD_DIR))/,$(WGCRYPTO_SRC:.c=.o)): CFLAGS += -O2

# The .S rule writes no header dependencies, but each file's contents depend
# on the CPU selection in wgcrypto_config.h: rebuild them when it changes.
$(addprefix $(BUILD)/$(notdir $(WGCRYPTO_MOD_DIR))/,$(WGCRYPTO_ASM:.S=.o)): $(WGCRYPTO_MOD_DIR)/wgcrypto_config.h
