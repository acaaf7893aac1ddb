"""CLI: python -m ecommerce_warehouse.demo_shop --out DIR [options]."""

import argparse

from .generator import generate
from .next_day import append_next_day


def main(argv=None):
    """Generate the demo shop's raw files into --out (python -m ecommerce_warehouse.demo_shop)."""
    p = argparse.ArgumentParser(prog="python -m ecommerce_warehouse.demo_shop",
                                description="Generate the synthetic demo shop's raw exports.")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--start", default="2023-01-01")
    p.add_argument("--end", default="2024-12-31")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--chunk-size", type=int, default=50_000)
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--next-day", action="store_true",
                   help="append the next day to the shop already in --out (see next_day.py)")
    a = p.parse_args(argv)
    if a.next_day:
        print(append_next_day(a.out))
        return
    generate(a.out, customers=a.customers, seed=a.seed, start=a.start, end=a.end,
             fmt=a.format, chunk_size=a.chunk_size, progress=not a.quiet)


if __name__ == "__main__":
    main()
