"""The application layer: Homecoming's use cases, shared by the command line and the web app.

Each module holds the use cases of one area; a service function takes the
:class:`~homecoming.storage.Database` (or a session) and plain values, returns plain values or
casework records, and raises :class:`~homecoming.errors.HomecomingError` subclasses. Services
never print and never import click: long operations report progress through an optional
``progress(done, total)`` callback. Every service that writes takes ``actor`` (the acting
person, written into the audit trail; ``None``: the operating-system user or
``HOMECOMING_USER``) and checks the acting person's permission first.

* :mod:`~homecoming.services.database` — open the database, ``init``, ``stats``;
* :mod:`~homecoming.services.imports` — validate-then-store for every importer;
* :mod:`~homecoming.services.exports` — records out to lab and exchange formats;
* :mod:`~homecoming.services.screening` — blind screening, PM–PM matching, elimination check;
* :mod:`~homecoming.services.case_identification` — load and identify the stored case, and
  identify a DVI dataset;
* :mod:`~homecoming.services.demo` — load and remove the SYNTHETIC demonstration.

Import the submodules directly (``from homecoming.services import imports``); this package
imports nothing itself so that ``homecoming --help`` stays fast.
"""
