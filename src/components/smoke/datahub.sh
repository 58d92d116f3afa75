# DataHub's metadata service (GMS) is up.
curl -fsS --max-time "${CHECK_TIMEOUT:-30}" "http://$HOST:$PORT/health"
