"""Static export: Jinja2 templates, incremental build, feed, sitemap, preview server and publish."""
