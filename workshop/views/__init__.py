"""HTTP views: thin layers that parse requests, call the core and render."""
