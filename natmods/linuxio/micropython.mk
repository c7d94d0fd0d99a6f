# Built-in user C module for the unix builds: the Linux calls the unix port
# lacks (tun devices, daemonizing, signalfd, allocation-free packet I/O).
LINUXIO_MOD_DIR := $(USERMOD_DIR)

LINUXIO_SRC := \
	modlinuxio.c \
	errors.c \
	fdio.c \
	udp.c \
	udpaddr.c \
	udpbatch.c \
	tun.c \
	tunvnet.c \
	process.c \
	signals.c \
	clock.c

SRC_USERMOD_C += $(addprefix $(LINUXIO_MOD_DIR)/,$(LINUXIO_SRC))
CFLAGS_USERMOD += -I$(LINUXIO_MOD_DIR)

# These run once per packet: worth -O2 like the crypto.
$(addprefix $(BUILD)/$(notdir $(LINUXIO_MOD_DIR))/,$(LINUXIO_SRC:.c=.o)): CFLAGS += -O2
