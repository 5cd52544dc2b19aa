# The baseline of --local-vs-pool: Python's ProcessPoolExecutor doing what the Wren side does, in a fresh process.
# Prints one JSON line: the single calls' times (ms) and the big Map's time (s).
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def increment(x):
    return x + 1


def main():
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with ProcessPoolExecutor() as pool:
        started = time.perf_counter()
        warm = list(pool.map(increment, range(1000)))
        first_map = time.perf_counter() - started
        assert warm == [x + 1 for x in range(1000)]
        singles = []
        for i in range(calls):
            t = time.perf_counter()
            result = pool.submit(increment, i).result()
            singles.append((time.perf_counter() - t) * 1000)
            assert result == i + 1
        inputs = range(size)
        started = time.perf_counter()
        results = list(pool.map(increment, inputs, chunksize=1000))
        map_seconds = time.perf_counter() - started
        assert results == [x + 1 for x in inputs]
    print(json.dumps({"first_map_s": first_map, "singles_ms": singles, "map_s": map_seconds}))


if __name__ == "__main__":
    main()
