"""The WSGI entry point: `gunicorn wsgi:app`."""

import gc

from clinic import create_app

app = create_app()

# What the app has built by now (its routes, SQLAlchemy's mappers, the extensions: some 150,000
# objects) lives as long as the process. Freezing it keeps the garbage collector from walking it
# again at every full collection, which cost a large page (the desk's agenda) 10-40 ms.
gc.collect()
gc.freeze()
