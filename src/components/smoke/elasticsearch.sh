# Elasticsearch answers and the cluster is yellow or green: the health API
# waits up to 60 s and answers 408 (so curl fails) while it is red.
curl -fsS --max-time "${CHECK_TIMEOUT:-90}" "http://$HOST:$PORT/_cluster/health?wait_for_status=yellow&timeout=60s"
