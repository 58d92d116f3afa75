# Neo4j answers a query over Bolt. NEO4J_AUTH is `neo4j/<password>`, the
# Secret the release itself reads.
/var/lib/neo4j/bin/cypher-shell -a "bolt://$HOST:$PORT" -u neo4j -p "${NEO4J_AUTH#neo4j/}" --format plain 'RETURN 1;'
