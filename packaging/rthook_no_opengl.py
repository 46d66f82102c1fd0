"""PyInstaller runtime hook: stand-ins for the Qt OpenGL modules the bundle leaves out.

pyqtgraph imports ``PySide6.QtOpenGL`` and ``PySide6.QtOpenGLWidgets`` when it is
imported (``PlotCurveItem``, ``PColorMeshItem``, ``Qt/OpenGLHelpers``), but uses
them only when OpenGL drawing is switched on (``useOpenGL``), which engage-desktop
never does. The two modules cost 9 MiB in the bundle (``packaging/README.md``, group
``qt-opengl``). This hook serves a stand-in for each, *only when the real module is
missing*: its ``Q…`` names are classes (pyqtgraph subclasses ``QOpenGLWidget`` and
tests ``isinstance`` against it while painting, which stays False) that refuse to
be created, so OpenGL drawing fails with one clear message instead of silently.
"""

import importlib.abc
import importlib.machinery
import sys

_STAND_INS = ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets")


class _NotInBundle:
    """A Qt OpenGL class this bundle does not carry."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("OpenGL drawing is not part of this engage-desktop bundle")


class _StandInLoader(importlib.abc.Loader):
    """Makes a module whose ``Q…`` attributes are :class:`_NotInBundle` classes."""

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module):
        classes = {}

        def __getattr__(name):  # PEP 562: only names the module lacks get here
            if not name.startswith("Q"):
                raise AttributeError(name)
            if name not in classes:
                classes[name] = type(name, (_NotInBundle,), {"__module__": module.__name__})
            return classes[name]

        module.__getattr__ = __getattr__


class _StandInFinder(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: answers only when no real module was found."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in _STAND_INS:
            return importlib.machinery.ModuleSpec(fullname, _StandInLoader())
        return None


if getattr(sys, "frozen", False):  # the bundle; importing this file elsewhere changes nothing
    sys.meta_path.append(_StandInFinder())
