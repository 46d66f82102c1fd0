"""The bundle's stand-ins for the Qt OpenGL modules (packaging/rthook_no_opengl.py).

The bundle leaves out PySide6.QtOpenGL and QtOpenGLWidgets (pyqtgraph imports them but
never draws with OpenGL here); `make dist-check` proves the dashboard still draws in the
bundle. These tests pin what pyqtgraph needs of a stand-in, without Qt.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path

import pytest

HOOK = Path(__file__).resolve().parents[2] / "packaging" / "rthook_no_opengl.py"


@pytest.fixture(scope="module")
def finder():
    before = list(sys.meta_path)
    hook = runpy.run_path(str(HOOK))
    assert sys.meta_path == before, "outside a bundle the hook must not register itself"
    return hook["_StandInFinder"]()


def _stand_in(finder, name):
    spec = finder.find_spec(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_answers_only_for_the_two_qt_opengl_modules(finder):
    assert finder.find_spec("PySide6.QtGui") is None
    assert finder.find_spec("OpenGL") is None
    assert finder.find_spec("PySide6.QtOpenGLWidgets") is not None


def test_q_names_are_classes_pyqtgraph_can_subclass_and_test_against(finder):
    widgets = _stand_in(finder, "PySide6.QtOpenGLWidgets")

    class GraphicsViewGLWidget(widgets.QOpenGLWidget):  # as pyqtgraph's OpenGLHelpers does
        pass

    assert widgets.QOpenGLWidget is widgets.QOpenGLWidget  # one class per name
    assert not isinstance(object(), widgets.QOpenGLWidget)  # PlotCurveItem.paint's test
    with pytest.raises(RuntimeError, match="OpenGL drawing is not part of this"):
        GraphicsViewGLWidget()


def test_other_names_are_missing_so_import_machinery_is_not_fooled(finder):
    gl = _stand_in(finder, "PySide6.QtOpenGL")
    assert not hasattr(gl, "__path__")
    assert not hasattr(gl, "glClear")
    with pytest.raises(RuntimeError):
        gl.QOpenGLBuffer(gl.QOpenGLBuffer)
