"""What both doors share at the HTTP level, around every request: security headers and
proxies (security), the anonymous response cache (caching), and rate limits and lockouts
(limits). Bound to the request; the domain never imports it."""
