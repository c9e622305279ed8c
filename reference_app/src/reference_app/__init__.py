"""The finished application of the FastAPI Production Workbook.

Build an app with :func:`reference_app.main.create_app`; configure it with
:class:`reference_app.core.config.Settings`.
"""

__version__ = "0.1.0"
