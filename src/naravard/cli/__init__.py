"""The ``naravard`` command line: one module per capability, each registering its commands."""
