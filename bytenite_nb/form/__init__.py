"""``JobForm``: an ipywidgets form that builds, validates and submits a job.

A thin front end over the same pieces as the magic: the form turns its
widgets into a wire dict, validates it with the shared models, sends it with
the shared client and shows the shared cards. Core ipywidgets only (no custom
JavaScript), so it works in JupyterLab, Notebook 7, VS Code and Colab.

Modules by job: ``_fields`` (the editors and their parsing), ``_source`` (the
data source/destination sub-form), ``_check`` (wire dict, validation, messages
and summary), ``_submit`` (sending in the background) and ``_form`` (the
``JobForm`` class that puts them together).
"""

from ._fields import RECENT_TEMPLATES
from ._form import JobForm

__all__ = ["RECENT_TEMPLATES", "JobForm"]
