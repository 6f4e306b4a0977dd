"""Static site exporter: Jinja2 templates, incremental build, feeds, publish."""
