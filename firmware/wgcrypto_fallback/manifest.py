# `wgcrypto` for a board with no native build: the wgcrypto.py here picks
# the viper implementation (machine words, no C toolchain needed) where the
# port compiles viper code, else the pure-Python one, and says which.
import os

metadata(description="wgcrypto fallbacks: viper, then pure Python", version="0.1.0")
module("wgcrypto.py")
module("wgcrypto_pure.py", base_path="..")
for name in ("wgcrypto_viper.py", "wgv_x25519.py"):
    if os.path.exists(os.path.join("..", name)):
        module(name, base_path="..")
