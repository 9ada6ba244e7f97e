"""``JobForm``: an ipywidgets form that builds, validates and submits a job (core widgets
only, no custom JavaScript: JupyterLab, Notebook 7, VS Code and Colab)."""

from ._fields import RECENT_TEMPLATES
from ._form import JobForm

__all__ = ["RECENT_TEMPLATES", "JobForm"]
