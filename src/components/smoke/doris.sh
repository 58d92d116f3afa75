# Doris answers over the MySQL protocol, its frontends are listed, and a
# table round trip (create, insert, select) works. The password comes from
# the cluster's authSecret through MYSQL_PWD. The Doris-only parts are
# parameters: the frontends query and the table's options (key model,
# distribution, replication), so the statements run on any MySQL server.
# The database is dropped at the end: nothing is left in the warehouse.
set -eu
q() {
  mysql -h "$HOST" -P "$PORT" -u "$DORIS_USER" --batch --skip-column-names -e "$1"
}
frontends=$(q "$FRONTENDS_QUERY")
test -n "$frontends"
q "CREATE DATABASE IF NOT EXISTS platgen_smoke"
q "CREATE TABLE IF NOT EXISTS platgen_smoke.round_trip (k INT, v INT) $TABLE_OPTIONS"
q "TRUNCATE TABLE platgen_smoke.round_trip"
q "INSERT INTO platgen_smoke.round_trip VALUES (1, 42)"
value=$(q "SELECT v FROM platgen_smoke.round_trip WHERE k = 1")
test "$value" = 42
q "DROP DATABASE platgen_smoke"
