"""Assertions: data-quality checks as DataHub describes them, their runs, and the incidents
their failures raise."""
