/* Counts guest instructions executed under qemu-user (QEMU 7.2, plugin API v1).
 *
 * Usage: qemu-arm -plugin build/bench/libinsncount.so,outfile=/path prog ...
 * At exit the total is written to outfile (or stderr) as a decimal number.
 * Debian ships no qemu-plugin.h, so the few API pieces used are declared here. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;   /* only passed through, never read */
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t, void *);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, qemu_plugin_vcpu_tb_trans_cb_t);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op,
                                              void *, uint64_t);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, qemu_plugin_udata_cb_t, void *);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t insns;          /* single-threaded guests: the inline add needs no atomics */
static char outfile[4096];

/* At translation time, add the block's instruction count inline each time it runs:
 * no helper call per block, so counting costs little. */
static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns,
                                             qemu_plugin_tb_n_insns(tb));
}

static void on_atexit(qemu_plugin_id_t id, void *p)
{
    (void)id; (void)p;
    FILE *f = outfile[0] ? fopen(outfile, "w") : stderr;
    if (!f)
        return;
    fprintf(f, "%" PRIu64 "\n", insns);
    if (f != stderr)
        fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "outfile=", 8) == 0)
            snprintf(outfile, sizeof outfile, "%s", argv[i] + 8);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
    qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
    return 0;
}
