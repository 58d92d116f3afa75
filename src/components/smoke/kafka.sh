# Kafka's brokers answer: the topics can be listed through the bootstrap Service.
/opt/bitnami/kafka/bin/kafka-topics.sh --bootstrap-server "$HOST:$PORT" --list
