"""gunicorn settings for Học Số: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""

import os

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
# Sync workers: each request is short, and a worker's memory stays within its budget.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# No preload: every worker opens its own database connections after the fork, so that no
# pooled connection is shared between two processes.
preload_app = False
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is replaced now and then, so that slow growth of its memory never adds up.
max_requests = 5000
max_requests_jitter = 500
# Request lines and headers of a phone fit well within these; larger is an attack.
limit_request_line = 4094
limit_request_fields = 60
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
# Never log query strings of sign-in links or cookies: method, path, status, size, time.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
