"""Supervision of the processes `jobboard serve` runs: the embedded engine, and the workers' tie to it.

The main process owns the embedded engine (an osmem-server child; workers only get its URL). A thread
waits on it: when it dies, the thread reaps it, starts a new one on the same address (clients keep
their URL), and fills it again from the database.

The index is filled by the operator's CLI in a subprocess (`jobboard index reindex`, same
environment), at start-up and after each restart, rather than in this process: with WORKERS=1 this
process also serves requests, and Tortoise's global connection state must not be initialised from
another thread of it; with WORKERS>1 this process holds no database connection at all. A subprocess
works the same in both modes, and keeps tqdm's multiprocessing lock (created by a reindex) out of
this process, where it would fix the start method to 'fork' before Sanic asks for 'spawn'.

The engine runs in a process group of its own: a SIGTERM or SIGINT to the server's group (a container
runtime, `kill -TERM -PGID`, Ctrl-C) reaches the main process and the workers, which finish their
requests with the engine still up, and the main process stops the engine last. Were the engine in the
group, it would exit at once and the watcher would take that for a crash and start another one.

With WORKERS>1, each worker stops when the main process is gone (killed, out of memory): an orphaned
worker would keep the port and answer with no engine behind it, and a restart could not bind. So does
Sanic's shared-state manager process, and with both gone multiprocessing's resource tracker exits too. A worker
that dies (SIGKILL, out of memory, a crash) while the server runs is replaced by the main process, and
until its replacement is ready every worker's /readyz names it (`WorkerRoster`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from multiprocessing.managers import SyncManager

import signal

import psutil
from sanic import Sanic
from sanic.worker.manager import WorkerManager
from sanic.worker.process import ProcessState, WorkerProcess
from tenacity import Retrying, retry_if_not_exception_type, wait_exponential

from search.engine import EmbeddedEngine

log = logging.getLogger("server.engine")
workers_log = logging.getLogger("server.workers")


class _Stopping(Exception):
    """The server is shutting down: stop restarting."""


class EngineSupervisor:
    """The embedded engine of this process: started and filled by `start()`, restarted and refilled
    whenever it dies, stopped by `stop()`."""

    def __init__(self, addr: str = "127.0.0.1:0", rebuild_timeout: float = 600.0):
        self._addr = addr
        self._rebuild_timeout = rebuild_timeout
        self._engine: EmbeddedEngine | None = None
        self._rebuilding: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start the engine, fill it, watch it; returns its URL (the same for every successor)."""
        self._engine = EmbeddedEngine.start(self._addr)
        try:
            index = self._rebuild()
        except BaseException:
            self._engine.stop()
            raise
        log.info("embedded index rebuilt: %s", index)
        self._thread = threading.Thread(target=self._watch, name="engine-supervisor", daemon=True)
        self._thread.start()
        return self._engine.url

    def stop(self) -> None:
        self._stopping.set()
        rebuilding = self._rebuilding
        if rebuilding is not None and rebuilding.poll() is None:
            rebuilding.kill()
        if self._engine is not None:
            self._engine.stop()
        if self._thread is not None:
            self._thread.join(40)  # at most one engine start (30 s) in progress
        if self._engine is not None:  # a successor the watcher started meanwhile
            self._engine.stop()

    def _watch(self) -> None:
        while True:
            engine = self._engine
            code = engine.process.wait()  # reaps the child: a dead engine never stays a zombie
            if self._stopping.is_set():
                return
            log.error("embedded search engine (pid %s) exited with code %s; restarting it at %s",
                      engine.process.pid, code, engine.url)
            try:
                index = self._restart()
            except _Stopping:
                return
            log.info("embedded search engine back at %s (pid %s), index %s rebuilt from the database",
                     self._engine.url, self._engine.process.pid, index)

    def _restart(self) -> str:
        # Backs off while the address is taken or the database is down; the sleep is the stop event's
        # wait, so shutting down interrupts it.
        retrying = Retrying(wait=wait_exponential(multiplier=0.5, max=30), sleep=self._stopping.wait,
                            retry=retry_if_not_exception_type(_Stopping), reraise=True,
                            before_sleep=lambda s: log.warning("embedded search engine not back yet: %s",
                                                               s.outcome.exception()))
        return retrying(self._restart_once)

    def _restart_once(self) -> str:
        if self._stopping.is_set():
            raise _Stopping
        if self._engine.process.poll() is not None:  # else only the rebuild failed last time
            self._engine = EmbeddedEngine.start(self._engine.address)
        if self._stopping.is_set():
            raise _Stopping
        return self._rebuild()

    def _rebuild(self) -> str:
        """`jobboard index reindex` into the engine; returns the new index's name. Like any reindex it gives the
        index the operator's ELASTICSEARCH_REPLICAS and waits for ELASTICSEARCH_WAIT_FOR_STATUS (`--plain-json`:
        yellow unless set, all one osmem node ever answers)."""
        # No lock, so no Redis is needed to start (or to recover while Redis is down). A worker's healer may
        # see the engine's index lost meanwhile and rebuild too: the loser's alias switch is repaired by the
        # next round (extra ERROR lines, never a lost posting).
        command = [sys.executable, "-m", "server.cli", "index", "--es-url", self._engine.url, "--plain-json",
                   "reindex", "--no-lock"]
        self._rebuilding = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True)
        try:
            out, err = self._rebuilding.communicate(timeout=self._rebuild_timeout)
        except subprocess.TimeoutExpired:
            self._rebuilding.kill()
            self._rebuilding.communicate()
            raise RuntimeError(f"the index rebuild took over {self._rebuild_timeout:g} s") from None
        if self._rebuilding.returncode != 0:
            # The CLI's last lines say why (its JSON log lines, or a traceback); progress bars dropped.
            last = [line for line in err.splitlines() if line.strip() and "%|" not in line][-5:]
            raise RuntimeError(f"the index rebuild exited with code {self._rebuilding.returncode}: "
                               + " | ".join(last))
        return out.strip().splitlines()[-1]


def stop_with_main_process(app: Sanic, interval: float = 1.0) -> None:
    """In a worker: stop serving once the main process that spawned it is gone (this process is reparented)."""

    async def watch(main_pid: int) -> None:
        try:
            while os.getppid() == main_pid:
                await asyncio.sleep(interval)
        except asyncio.CancelledError:  # the worker is stopping: Sanic would log a warning for it
            return
        log.error("main process %s is gone: worker %s stops", main_pid, os.getpid())
        app.stop(terminate=False)  # as on SIGTERM: no message to the dead main process

    @app.after_server_start
    async def _watch_main_process(app: Sanic) -> None:
        app.add_task(watch(os.getppid()), name="main_process_watch")


def helpers_stop_with_main_process() -> None:
    """In the main process of WORKERS>1, before `Sanic.serve`: the helper process Sanic starts for its shared
    worker state (a multiprocessing manager) exits when this process is gone, as the workers and the engine
    do. Otherwise a SIGKILL of this process left it running, and with it multiprocessing's resource tracker,
    which exits by itself only once every holder of its pipe (this process, the workers, the manager) is gone.

    Sanic calls `multiprocessing.Manager()` with no initializer, so its start gets ours."""
    if getattr(SyncManager.start, "watched", False):
        return
    start = SyncManager.start

    @functools.wraps(start)
    def start_watched(self, initializer=None, initargs=()):
        if initializer is None:
            initializer, initargs = exit_with_parent, (os.getpid(),)
        return start(self, initializer, initargs)

    start_watched.watched = True
    SyncManager.start = start_watched


def exit_with_parent(parent_pid: int, interval: float = 0.5) -> None:
    """In a helper process: a thread that ends the process once `parent_pid` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os._exit(0)  # nothing of a helper's state outlives its main process

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# Set in the main process by a SIGTERM/SIGINT, before its handler's thread starts: from then on a worker seen
# dead is one the shutdown stopped, never one to replace.
_SHUTTING_DOWN = threading.Event()


def shutdown_signals_off_the_monitor(app: Sanic) -> None:
    """In the main process: run Sanic's SIGTERM/SIGINT handler on a thread of its own.

    Sanic's handler runs in the main thread between two bytecodes, which may be in the middle of the
    monitor's own call to the shared worker state (a multiprocessing manager proxy: request sent, reply
    not yet read). The handler's calls then reuse that thread's connection, the replies cross, and the
    monitor waits for a reply that never comes: a SIGTERM to the process group left the main process
    hanging with its workers gone (about one stop in seven). A thread has a connection of its own."""

    @app.main_process_ready
    async def _handle_signals_on_a_thread(app: Sanic) -> None:
        manager = app.manager

        def handler(signum, _frame) -> None:
            _SHUTTING_DOWN.set()
            threading.Thread(target=manager.shutdown_signal, args=(signum, None), name="shutdown-signal",
                             daemon=True).start()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, handler)


_SERVER_PREFIX = f"Sanic-{WorkerProcess.SERVER_LABEL}-"
_DEAD = (ProcessState.FAILED, ProcessState.COMPLETED)  # what the manager marks an exited process


def replace_dead_workers(app: Sanic, interval: float = 0.2) -> None:
    """In the main process of WORKERS>1: start a replacement for every server worker that dies while the
    server runs. Sanic's manager marks a dead worker FAILED (or COMPLETED) and leaves it so; a thread here
    watches for that and asks the manager, through its own monitor pipe (the way a worker asks for a restart), to
    restart that worker, so the restart happens in the manager's thread like any other."""
    stopping = threading.Event()

    def watch(manager: WorkerManager) -> None:
        replaced: set[tuple[str, int]] = set()
        seen_clean: set[tuple[str, int]] = set()
        # The shutdown signal's handler runs on a thread of its own (shutdown_signals_off_the_monitor), so the
        # manager may mark a worker stopped by a group's SIGTERM before that handler has run: a worker that
        # exited cleanly (code 0) is replaced only if it is still so one look later and no shutdown began.
        while not stopping.wait(interval):
            if _SHUTTING_DOWN.is_set():
                return
            for worker in list(manager.transient.values()):
                for process in list(worker.processes):
                    # Dead with a non-zero exit code (SIGKILL, a crash), or 0 (a SIGTERM to it alone). A worker
                    # the inspector scales down leaves `manager.transient`, so it is not seen here.
                    if not process.name.startswith(_SERVER_PREFIX) or process.state not in _DEAD:
                        continue
                    dead = (process.name, process.pid)
                    if dead in replaced:  # asked already; the manager has not got to it yet
                        continue
                    if process.exitcode == 0 and dead not in seen_clean:
                        seen_clean.add(dead)
                        continue
                    replaced.add(dead)
                    workers_log.error("worker %s (pid %s) exited with code %s; starting a replacement",
                                      process.name, process.pid, process.exitcode)
                    manager.monitor_publisher.send(f"{process.name}:")

    @app.main_process_ready
    async def _replace_dead_workers(app: Sanic) -> None:
        threading.Thread(target=watch, args=(app.manager,), name="worker-supervisor", daemon=True).start()

    @app.main_process_stop
    async def _stop_replacing(app: Sanic) -> None:
        stopping.set()


class WorkerRoster:
    """In a worker of WORKERS>1: which of the server's workers are not serving, from the state Sanic's
    manager shares with every worker (one round trip to its state process; /readyz only)."""

    def __init__(self, app: Sanic, expected: int):
        self._app = app
        self._expected = expected

    def missing(self) -> list[str]:
        return missing_workers(self._app.m.workers, self._expected)


def missing_workers(states: Mapping[str, dict], expected: int) -> list[str]:
    """What is wrong with the server workers in Sanic's shared worker state, one phrase each; [] when all
    `expected` are up. A worker counts as up once it has acknowledged its start (ACKED) and while its process
    runs: the process is looked at too, since a worker killed a moment ago, or while the main process is
    stopped, still shows its last state (and stays a zombie until the main process reaps it)."""
    servers = {name: state for name, state in states.items() if state.get("server")}
    problems = []
    for name, state in sorted(servers.items()):
        pid, phase = state.get("pid"), state.get("state")
        if phase != ProcessState.ACKED.name:
            problems.append(f"{name} is not serving ({phase or 'not started'})")
        elif not _running(pid):
            problems.append(f"{name} (pid {pid}) is gone")
    if len(servers) < expected:
        problems.append(f"{expected - len(servers)} of {expected} workers unknown to the manager")
    return problems


def _running(pid: int | None) -> bool:
    try:
        return pid is not None and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
