"""District oversight (街道/社区 清单化管理): every compound's figures side by side.

The district level has no books of its own: it loads each compound's ledger (with its
plugin, as ``bean-check`` does), takes a handful of facts from that load's index, and
keeps them in an embedded analytical store. One module per concern:

``discover``  compound folders under a district root, and the fingerprint of their files
``facts``     :func:`facts` — one loaded compound → :class:`CompoundFacts` (pure; what a
              distributed engine would map over the compounds)
``build``     the incremental build: unchanged compounds are not reloaded, changed ones are
              loaded in worker processes, failures are kept out and reported
``store``     DuckDB tables (money as ``DECIMAL(18,2)``) and Parquet files partitioned by
              compound, the exchange format
``prices``    price references per use across compounds and the district finding for a
              contract priced far below them (Art. 282)
``report``    one row per compound, district totals, JSON and xlsx
"""
