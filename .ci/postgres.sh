# CI: a PostgreSQL server on loopback for the test suite. Sourced by .ci/run, so that
# MTC_TEST_POSTGRES_URL reaches pytest, which then runs the suite on PostgreSQL too.
#
# Installs Debian's server if missing, starts its cluster, and makes a role that may create
# databases (each test gets a fresh one, copied from a template), with a password, reached
# over TCP on 127.0.0.1 as the program reaches an office server.
# Needs root (apt-get, and the postgres system user).

mtc_pg_role=mtc_ci
mtc_pg_password=mtc_ci_password

mtc_pg_installed=
if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  mtc_pg_installed=yes
fi
if [ -z "$(pg_lsclusters -h)" ]; then
  pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -n 1)" main >/dev/null
fi

# The first cluster; its port from the cluster list (5432 unless another server took it).
read -r mtc_pg_version mtc_pg_cluster mtc_pg_port mtc_pg_status _ <<<"$(pg_lsclusters -h | head -n 1)"
if [ "$mtc_pg_status" != "online" ] || [ -n "$mtc_pg_installed" ]; then
  # Started for the tests, it need not survive a power cut: without fsync a test
  # database is copied from its template in a twentieth of a second and dropped in a
  # hundredth, instead of waiting for the disk. These settings last until it stops; a
  # cluster that was running already (and not just installed) is used as it is.
  [ "$mtc_pg_status" = "online" ] && mtc_pg_action=restart || mtc_pg_action=start
  pg_ctlcluster "$mtc_pg_version" "$mtc_pg_cluster" "$mtc_pg_action" -- \
    -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$mtc_pg_port" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$mtc_pg_port" >/dev/null

mtc_psql() {
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$mtc_pg_port" "$@")
}
if [ "$(mtc_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$mtc_pg_role'")" != 1 ]; then
  mtc_psql -c "CREATE ROLE $mtc_pg_role LOGIN CREATEDB PASSWORD '$mtc_pg_password'"
fi
if [ "$(mtc_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$mtc_pg_role'")" != 1 ]; then
  mtc_psql -c "CREATE DATABASE $mtc_pg_role OWNER $mtc_pg_role"
fi

export MTC_TEST_POSTGRES_URL="postgresql://$mtc_pg_role:$mtc_pg_password@127.0.0.1:$mtc_pg_port/$mtc_pg_role"
echo "PostgreSQL $mtc_pg_version on 127.0.0.1:$mtc_pg_port for the tests (MTC_TEST_POSTGRES_URL)"
unset mtc_pg_role mtc_pg_password mtc_pg_version mtc_pg_cluster mtc_pg_port mtc_pg_status
unset mtc_pg_installed mtc_pg_action
unset -f mtc_psql
