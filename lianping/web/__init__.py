"""Web entry points besides the admin: ``POST /callback`` (LINE webhooks) and the public
routes LINE and residents fetch without signing in (broadcast images, counted links)."""
