"""Read MicroGuard's `manifest.py` files on the host, as MicroPython's freeze tooling does.

A manifest is a Python file of our own repository (never something a device sent) calling
micropython-lib's manifest functions: `metadata`, `require`, `include`, `package`, `module`
(`freeze`, `add_library` and `options` as well, so a firmware manifest reads here too). It is
executed with those functions provided and the manifest's folder as the current directory,
which is what `tools/manifestfile.py` in MicroPython does; the result is the ordered list of
files it names: [(target path such as "wireguard/device.py", source file)].

`require(name)` finds `<library>/**/<name>/manifest.py`; the default library is `firmware/`.
"""
import os

from .errors import MgError


class Manifest:
    def __init__(self, root, path_vars=None):
        self.root = root
        self.files = []                 # [(target, source)] in manifest order, no duplicates
        self.metadata = {}              # package name (folder of its manifest) -> metadata kwargs
        self.libraries = {"microguard": os.path.join(root, "firmware")}
        self.path_vars = dict(path_vars or {})
        self._visited = set()
        self._targets = {}

    # -- the functions a manifest calls ------------------------------------------------------
    def _globals(self, kwargs):
        opts = _Options(kwargs)
        return {"metadata": self._metadata_fn, "require": self.require, "include": self.include,
                "package": self.package, "module": self.module, "freeze": self.freeze,
                "add_library": self.add_library, "options": opts, "__name__": "manifest"}

    def _metadata_fn(self, **kwargs):
        self.metadata.setdefault(os.path.basename(os.getcwd()), {}).update(kwargs)

    def _resolve(self, path):
        for k, v in self.path_vars.items():
            path = path.replace("$(%s)" % k, v)
        if "$(" in path:
            raise MgError("manifest path %r uses a variable not known here" % path)
        return os.path.abspath(path)

    def add_library(self, library, library_path, prepend=False):
        self.libraries[library] = self._resolve(library_path)

    def include(self, manifest_path, **kwargs):
        if not isinstance(manifest_path, str):
            for m in manifest_path:
                self.include(m, **kwargs)
            return
        path = self._resolve(manifest_path)
        if os.path.isdir(path):
            path = os.path.join(path, "manifest.py")
        if path in self._visited:
            return
        self._visited.add(path)
        try:
            with open(path) as f:
                code = f.read()
        except OSError as e:
            raise MgError("cannot read manifest %s: %s" % (path, e.strerror)) from None
        prev = os.getcwd()
        os.chdir(os.path.dirname(path))
        try:
            exec(compile(code, path, "exec"), self._globals(kwargs))
        except MgError:
            raise
        except Exception as e:
            raise MgError("error in manifest %s: %s" % (os.path.relpath(path, self.root), e)) from None
        finally:
            os.chdir(prev)

    def require(self, name, version=None, library=None, **kwargs):
        libs = [self.libraries[library]] if library else list(self.libraries.values())
        for lib in libs:
            for dirpath, dirnames, filenames in sorted(os.walk(lib)):
                dirnames.sort()
                if os.path.basename(dirpath) == name and "manifest.py" in filenames:
                    self.include(dirpath, **kwargs)
                    return
        raise MgError("manifest: package %r not found in %s" % (name, ", ".join(libs)))

    def package(self, package_path, files=None, base_path=".", opt=None):
        base = self._resolve(base_path)
        if files is None:
            found = []
            for dirpath, dirnames, filenames in os.walk(os.path.join(base, package_path)):
                dirnames.sort()
                found += [os.path.relpath(os.path.join(dirpath, f), os.path.join(base, package_path))
                          for f in sorted(filenames) if f.endswith(".py")]
            files = found
        for f in files:
            target = os.path.join(package_path, f).replace(os.sep, "/")
            self._add(target, os.path.join(base, package_path, f))

    def module(self, module_path, base_path=".", opt=None):
        if not module_path.endswith(".py"):
            raise MgError("manifest: module must be a .py file, not %r" % module_path)
        self._add(module_path, os.path.join(self._resolve(base_path), module_path))

    def freeze(self, path, script=None, opt=None):
        base = self._resolve(path)
        scripts = [script] if isinstance(script, str) else list(script or ())
        if not scripts:
            scripts = sorted(f for f in os.listdir(base) if f.endswith(".py"))
        for s in scripts:
            self._add(s, os.path.join(base, s))

    def _add(self, target, source):
        if not os.path.isfile(source):
            raise MgError("manifest names %s, which does not exist" % os.path.relpath(source, self.root))
        if target in self._targets:
            return
        self._targets[target] = source
        self.files.append((target, source))


class _Options:
    def __init__(self, kwargs):
        self.__dict__.update(kwargs)

    def defaults(self, **kwargs):
        for k, v in kwargs.items():
            self.__dict__.setdefault(k, v)

    def __getattr__(self, name):
        return None


def read(root, *manifests, path_vars=None):
    """Files named by the manifests (paths, or folders holding a manifest.py), in order."""
    m = Manifest(root, path_vars)
    for path in manifests:
        m.include(path)
    return m


def require(root, *names):
    """Files of the named packages (found in firmware/) and what they require."""
    m = Manifest(root)
    for name in names:
        m.require(name)
    return m


def package_files(root, name):
    return require(root, name).files
