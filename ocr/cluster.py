"""Where OCR pages are read: a local process pool (default) or a Dask distributed cluster.

Both are ``concurrent.futures.Executor``\\ s, so the pipeline does not care which::

    with make_executor(workers=4) as pool:                      # this PC, 4 processes
        for task, row, error in run_ordered(pool, read_page, pages): ...
    with make_executor(cluster="tcp://ocr-sched:8786") as pool:  # a Dask cluster
        ...

Rules for the page function and its tasks, so that page images travel at most once:

- a task is small — the file path and the page number (e.g. ``ocr.load.PageRef``) — and the
  worker loads the page itself; the result is the page's row (a small dict), never pixels.
  Workers of a remote cluster therefore need the same files at the same path (a shared
  folder) and yomikaki installed (same version) — ``check_cluster`` verifies both;
- the function is a top-level function of an installed module (workers import it by name).

A worker that dies mid-batch loses no page: the Dask scheduler gives its unfinished pages to
the other workers (``distributed.scheduler.allowed-failures`` times; a page that keeps killing
workers comes back as an error for that page only). Exceptions raised by the function are
retried ``retries`` times on Dask (with ``pure=False`` every page is computed, never served
from another page's cache).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from yomikaki.errors import ConfigError

log = logging.getLogger(__name__)

DASK_SCHEMES = ("tcp://", "tls://", "ucx://", "inproc://", "ws://", "wss://")


class DaskExecutor(Executor):
    """A Dask ``Client`` as an Executor that owns the client: ``shutdown`` closes it."""

    def __init__(self, client: Any, *, retries: int = 2):
        self.client = client
        self._executor = client.get_executor(pure=False, retries=retries)

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self._executor.shutdown(wait=wait)
        finally:
            self.client.close()

    @property
    def slots(self) -> int:
        """Pages that can run at once: the total worker threads of the cluster."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def is_cluster_address(value: str | None) -> bool:
    return bool(value) and value.startswith(DASK_SCHEMES)


def make_executor(workers: int = 1, cluster: str | None = None, *, retries: int = 2,
                  connect_timeout: float = 10.0) -> Executor:
    """A local process pool of ``workers`` processes, or the Dask cluster at ``cluster``.

    Use it as a context manager (``with make_executor(...) as pool``): leaving it waits for
    the pages and releases the processes or closes the cluster connection.
    """
    if not cluster:
        if workers < 1:
            raise ConfigError(f"--workers は 1 以上にしてください (指定: {workers})")
        # forkserver, not fork: the caller may have threads (the scheduler service, a Dask
        # client) and forking a threaded process can deadlock the child.
        threads = max(1, (os.cpu_count() or 1) // workers)
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=_init_worker, initargs=(threads,))
    if not is_cluster_address(cluster):
        raise ConfigError(
            f"Dask クラスタのアドレスが正しくありません: {cluster!r} (例: tcp://192.168.1.20:8786)"
        )
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - extra not installed
        raise ConfigError(
            "Dask を使うには追加パッケージが必要です: pip install 'yomikaki[cluster]'"
        ) from exc
    try:
        client = Client(cluster, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(
            f"Dask クラスタ {cluster} に接続できません ({exc})。スケジューラが起動しているか、"
            "アドレスとポート (既定 8786) を確認してください。"
        ) from exc
    return DaskExecutor(client, retries=retries)


BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _init_worker(threads: int) -> None:
    """Each pool process gets its share of the cores for OpenCV's own threads: N processes
    × OpenCV's default (all cores) threads would oversubscribe the CPU and scale badly.

    BLAS / OpenMP run single-threaded, as on Dask workers (their nannies set the same
    variables): a matrix product summed by another number of threads can differ in the last
    bits, and a page must give the same row wherever it is read."""
    for name in BLAS_THREAD_VARIABLES:  # for libraries loaded from now on
        os.environ[name] = "1"
    try:
        import numpy  # noqa: F401  (loads BLAS, so that its pool can be limited below)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)  # already loaded (the worker imported numpy for __main__)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    try:
        import cv2
    except ImportError:  # pragma: no cover - the pool may run other work
        return
    cv2.setNumThreads(threads)


def executor_slots(executor: Executor) -> int:
    """How many tasks the executor runs at once (for sizing the in-flight window)."""
    if isinstance(executor, DaskExecutor):
        return executor.slots
    return int(getattr(executor, "_max_workers", None) or os.cpu_count() or 1)


def run_ordered(
    executor: Executor,
    fn: Callable[..., Any],
    tasks: Iterable[Any],
    *,
    window: int | None = None,
    **kwargs: Any,
) -> Iterator[tuple[Any, Any, BaseException | None]]:
    """Run ``fn(task, **kwargs)`` for every task; yield ``(task, result, error)`` in task order.

    ``kwargs`` travel with every task: keep them small (a template name, numbers) and let the
    worker load and cache anything heavy once per process.

    At most ``window`` tasks are in flight (default: 4 per slot), so a batch of any size
    streams in constant memory. A task whose function raised (or whose workers kept dying)
    yields its exception as ``error`` and the batch goes on.
    """
    window = window or 4 * executor_slots(executor)
    call = functools.partial(fn, **kwargs) if kwargs else fn  # kwargs: small (names, numbers)
    pending: deque[tuple[Any, Future]] = deque()
    iterator = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            try:
                task = next(iterator)
            except StopIteration:
                exhausted = True
                break
            pending.append((task, executor.submit(call, task)))
        if not pending:
            return
        task, future = pending.popleft()
        try:
            yield task, future.result(), None
        except Exception as exc:  # noqa: BLE001 - reported per page, the batch goes on
            yield task, None, exc


def describe_worker() -> dict[str, Any]:
    """Where a task runs (for logs and ``check_cluster``)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _probe_file(path: str) -> dict[str, Any]:
    import hashlib

    import yomikaki

    info = describe_worker() | {"version": yomikaki.__version__, "path": path}
    try:
        with open(path, "rb") as fh:
            info["sha256"] = hashlib.sha256(fh.read()).hexdigest()
    except OSError as exc:
        info["error"] = str(exc)
    return info


def check_cluster(cluster: str, sample: str | os.PathLike) -> list[dict[str, Any]]:
    """Ask every worker of ``cluster`` to read ``sample``; one report per worker.

    A worker that cannot see the file (no shared folder) or runs another yomikaki version
    gets ``problem`` set, in Japanese, for the operator.
    """
    import hashlib

    import yomikaki

    path = os.fspath(sample)
    with open(path, "rb") as fh:
        expected = hashlib.sha256(fh.read()).hexdigest()
    executor = make_executor(cluster=cluster)
    assert isinstance(executor, DaskExecutor)
    try:
        reports = executor.client.run(_probe_file, path)
    finally:
        executor.shutdown()
    out = []
    for address, info in sorted(reports.items()):
        problem = None
        if "error" in info:
            problem = f"ファイルを読めません ({info['error']}): 共有フォルダを同じパスで見せてください"
        elif info["sha256"] != expected:
            problem = "ファイルの内容が違います: 同じ共有フォルダを指していません"
        elif info["version"] != yomikaki.__version__:
            problem = f"yomikaki の版が違います (ワーカー {info['version']} / この PC {yomikaki.__version__})"
        out.append(info | {"worker": address, "problem": problem})
    return out
