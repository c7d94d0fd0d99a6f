# Runs one check function: run.py <module> <function>. Prints "CASE OK" last
# on success; any exception propagates and makes the exit status non-zero.
import sys

module = __import__(sys.argv[1])
getattr(module, sys.argv[2])()
print("CASE OK")
