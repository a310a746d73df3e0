"""ASGI entry point: `uvicorn server:app`. Settings are read when the app starts."""

from cso.app import create_app

app = create_app()
