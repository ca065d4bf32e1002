"""The web application: server-rendered pages over the application layer.

``homecoming serve`` runs :func:`homecoming.web.app.create_app` with uvicorn. Start with
:mod:`homecoming.web.security` (sessions, the permission of every route, CSRF),
:mod:`homecoming.web.i18n` (Ukrainian and English) and :mod:`homecoming.web.views` (the
pages). The queries behind the pages are :mod:`homecoming.services.web_queries`; log-in and
sessions are :mod:`homecoming.services.web_auth`. How to run it: docs/howto/web.md.
"""
