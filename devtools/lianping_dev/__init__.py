"""Development tools for lianping, never installed on a production machine: the LINE
platform simulator, demo data, a private redis-server, process launchers and the
embedded run. The ``lianping-dev`` command is their entry point."""
