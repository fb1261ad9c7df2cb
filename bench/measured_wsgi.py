"""config.wsgi's application with the per-request figures of bench/request_cpu.py: what the
benchmark server serves when a run measures requests. Nothing in the application imports it."""

from config.wsgi import application as _application

from .request_cpu import MeasuredApplication

application = MeasuredApplication(_application)
