# The Kubeflow Pipelines API server is up.
curl -fsS --max-time "${CHECK_TIMEOUT:-30}" "http://$HOST:$PORT/apis/v2beta1/healthz"
