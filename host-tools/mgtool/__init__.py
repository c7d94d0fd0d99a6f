"""MicroGuard host tools.

A library with a thin command line (`mgtool`): each subcommand is a call into
one module here, so scripts and tests can use the same functions directly.
"""
__version__ = "0.1.0"
