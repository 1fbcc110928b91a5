"""Accuracy benchmark; same as `atlas bench accuracy` (see `--help`)."""

from atlasflow.bench_commands import bench_app

if __name__ == "__main__":
    bench_app(["accuracy", *__import__("sys").argv[1:]])
