#!/usr/bin/env bash
# Checks deploy/nginx/hromada.conf for real (issue #6, run by .ci/run):
# `nginx -t` on the site config with a throw-away self-signed certificate,
# then gunicorn (gunicorn.conf.py, production settings) behind that nginx on
# loopback ports, and requests through nginx: the HTTP→HTTPS redirect, a page
# from the app, a hashed static file with far-future caching. Stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers read the static files
nginx_pid=""
app_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

HTTP_PORT=18080
HTTPS_PORT=18443
APP_PORT=18001

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=hromada.example" \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" 2>/dev/null

mkdir -p "$tmp/var/media" "$tmp/logs"
sed -e "s#/etc/letsencrypt/live/hromada.example#$tmp#g" \
    -e "s#/srv/hromada/staticfiles/#$tmp/static/#g" \
    -e "s#/srv/hromada/var/media/#$tmp/var/media/#g" \
    -e "s#/var/www/letsencrypt#$tmp#g" \
    -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#; s#listen \[::\]:80;##" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$HTTPS_PORT ssl http2;#; s#listen \[::\]:443 ssl http2;##" \
    -e "s#https://hromada.example\$request_uri#https://hromada.example:$HTTPS_PORT\$request_uri#" \
    -e "s#server 127.0.0.1:8001;#server 127.0.0.1:$APP_PORT;#" \
    deploy/nginx/hromada.conf > "$tmp/hromada.conf"
cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  access_log $tmp/logs/access.log;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  include $tmp/hromada.conf;
}
CONF

echo "nginx -t"
nginx -t -q -p "$tmp" -c "$tmp/nginx.conf"

export DJANGO_DEBUG=0 DJANGO_SECRET_KEY="ci-$(openssl rand -hex 16)" \
  DJANGO_ALLOWED_HOSTS=hromada.example PORTAL_VAR_DIR="$tmp/var" \
  DJANGO_STATIC_ROOT="$tmp/static" DJANGO_MEDIA_ROOT="$tmp/var/media" \
  GUNICORN_BIND="127.0.0.1:$APP_PORT" GUNICORN_WORKERS=2
unset DATABASE_URL REDIS_URL
uv run manage.py migrate --noinput -v 0
uv run manage.py collectstatic --noinput -v 0

uv run gunicorn -c gunicorn.conf.py portal.wsgi >"$tmp/logs/gunicorn.log" 2>&1 &
app_pid=$!
nginx -p "$tmp" -c "$tmp/nginx.conf" -g "daemon off;" &
nginx_pid=$!
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$APP_PORT/" -H "Host: hromada.example" && break
  sleep 0.2
done

resolve=(--resolve "hromada.example:$HTTPS_PORT:127.0.0.1" --resolve "hromada.example:$HTTP_PORT:127.0.0.1")

echo "HTTP redirects to HTTPS"
location=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "${resolve[@]}" "http://hromada.example:$HTTP_PORT/news/")
[ "$location" = "301 https://hromada.example:$HTTPS_PORT/news/" ] || { echo "got: $location"; exit 1; }

echo "A page from gunicorn through nginx over TLS"
page=$(curl -sk "${resolve[@]}" -D "$tmp/headers" "https://hromada.example:$HTTPS_PORT/")
grep -q '^HTTP/[0-9.]* 200' "$tmp/headers" || { cat "$tmp/headers" "$tmp/logs/gunicorn.log"; exit 1; }
grep -qi '^strict-transport-security:' "$tmp/headers" || { echo "no HSTS: the app did not see https"; exit 1; }
grep -q '<html lang="uk"' <<<"$page" || { echo "not the portal's page"; exit 1; }

echo "A hashed static file, compressed, cached for good"
css=$(grep -o '/static/css/portal\.[0-9a-f]\{12\}\.css' <<<"$page" | head -n1)
[ -n "$css" ] || { echo "no hashed stylesheet in the page"; exit 1; }
uv run python - "$HTTPS_PORT" "$css" <<'PY'
import http.client
import ssl
import sys

port, path = int(sys.argv[1]), sys.argv[2]
context = ssl._create_unverified_context()  # the throw-away certificate  # noqa: S323
connection = http.client.HTTPSConnection("127.0.0.1", port, context=context)
connection.request("GET", path, headers={"Host": "hromada.example", "Accept-Encoding": "gzip"})
response = connection.getresponse()
headers = {name.lower(): value for name, value in response.getheaders()}
assert response.status == 200, response.status
assert "immutable" in headers.get("cache-control", ""), headers
assert headers.get("content-encoding") == "gzip", headers
PY
echo "nginx + gunicorn: OK"
