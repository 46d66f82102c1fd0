"""Archives: old mentions as hive-partitioned Parquet, written, checked and read back.

An archive is a folder any Parquet reader understands (DuckDB, Dask, Spark, Polars)::

    DIR/manifest.json                               what is in it (the only truth)
    DIR/mentions/year=2024/month=03/part-RUN.parquet
    DIR/replies/year=2024/month=03/part-RUN.parquet
    DIR/corrections/year=2024/month=03/part-RUN.parquet
    DIR/cube/cube-RUN.parquet                       the dashboard's daily cube

:mod:`~engage_desktop.archive.manifest` reads and atomically replaces the manifest;
:mod:`~engage_desktop.archive.export` writes (and with ``move`` removes) rows;
:mod:`~engage_desktop.archive.views` attaches an archive so the inbox and the
dashboard read the workspace and the archive together. Qt-free.
"""
