"""gunicorn's settings for the clinic (gunicorn reads ./gunicorn.conf.py when started here).

No request header sets the WSGI environment's script root or scheme unless the deployment says
so. gunicorn's defaults trust any local client: a `SCRIPT_NAME` header would prefix every link
on the page, and `X-Forwarded-Proto` would set the scheme. This file trusts nobody.
A deployment behind proxies says so in one of two ways:
- the app's PROXY_FIX_HOPS: X-Forwarded-For/-Proto/-Host/-Prefix from that many proxies;
- gunicorn's own FORWARDED_ALLOW_IPS (the proxies' addresses) and FORWARDER_HEADERS (e.g.
  SCRIPT_NAME), which the proxy must always set itself.
"""

import os

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
forwarder_headers = os.environ.get("FORWARDER_HEADERS", "")
