#!/usr/bin/env bash
# Make sure the local MariaDB and Redis the tests use are up: start them where installed but stopped.
# Where one is not installed, `make test` fails (REQUIRE_SERVICES=1); TEST_DATABASE=sqlite / TEST_CACHE=memory
# run without it on purpose, REQUIRE_SERVICES=0 falls back and says so.
set -u

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  return 1
}

if ! up 3306; then
  if [ -x /usr/sbin/mariadbd ]; then
    echo "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_up 3306 || echo "WARNING: MariaDB did not come up on 127.0.0.1:3306" >&2
  else
    echo "WARNING: MariaDB is not installed" >&2
  fi
fi

if ! up 6379; then
  if command -v redis-server >/dev/null; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_up 6379 || echo "WARNING: Redis did not come up on 127.0.0.1:6379" >&2
  else
    echo "WARNING: Redis is not installed" >&2
  fi
fi
exit 0
