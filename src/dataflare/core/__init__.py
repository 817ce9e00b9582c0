"""What every layer uses: the error hierarchy, URNs, the clock and time formats, settings."""
