# Ray Serve runs every application on its route: the Serve proxy answers
# its health endpoint, its route table lists each route in $ROUTES, and a
# GET on each route answers 2xx.
set -eu
base="http://$HOST:$PORT"
get() {
  curl -fsS --max-time "${CHECK_TIMEOUT:-30}" "$base$1"
}
get /-/healthz > /dev/null
table=$(get /-/routes)
for route in $ROUTES; do
  case "$table" in
    *"\"$route\""*) ;;
    *) echo "route $route is not served: $table" >&2; exit 1 ;;
  esac
  get "$route" > /dev/null
done
