// Start-up hook: the qemu port's main() has no boot sequence, so its call to
// mp_init() is wrapped (-Wl,--wrap=mp_init) to mount the flash and run
// boot.py and main.py from it, like the ports with a filesystem do.
#include "py/runtime.h"
#include "shared/runtime/pyexec.h"

void __real_mp_init(void);

void __wrap_mp_init(void) {
    __real_mp_init();
    // _boot.py (frozen) mounts /flash when an image is attached.
    pyexec_frozen_module("_boot.py", false);
    // Both are looked up in the current directory, /flash when it is mounted.
    // A main.py that never returns keeps the REPL away (there is no Ctrl-C
    // on this port while code runs), as on boards whose main.py is the app.
    pyexec_file_if_exists("boot.py");
    pyexec_file_if_exists("main.py");
}
