"""Environment variables that point the Spark engine at a cluster (read by the command line
without loading the engine)."""

MASTER_ENV = "NARAVARD_SPARK_MASTER"
"""Spark master URL: ``local[*]`` (the default), ``spark://host:7077``, ``yarn``, ``k8s://…``."""
CONF_ENV = "NARAVARD_SPARK_CONF"
"""Further Spark settings as ``key=value;key=value``."""
