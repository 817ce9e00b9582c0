"""The ASGI application that `dataflare serve` runs, configured from the environment."""

from dataflare.app import create_app
from dataflare.core.config import Settings

app = create_app(Settings.from_env())
