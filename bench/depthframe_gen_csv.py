"""Write a synthetic depth-log CSV shaped like the AIQ challenge's img.csv.

Header depth,col1..col200; --rows rows in all (default 5,461), the last one all-empty (NaN);
depths 9000.1, 9000.2, ... (0.1 steps); integer pixels 13..237 with layered structure; the
documented first row. Deterministic for a given --seed.

    PYTHONPATH=libs:. python bench/depthframe_gen_csv.py --rows 100000 --out /tmp/img_100k.csv
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from services.depthframe.sample_data.depth_log import iter_csv_blocks, make_depth_log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5461, help="rows in all, the last one empty (default 5461)")
    parser.add_argument("--width", type=int, default=200, help="pixel columns (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    if args.rows < 2 or args.width < 1:
        parser.error("--rows must be >= 2 and --width >= 1")
    started = time.perf_counter()
    depths, pixels = make_depth_log(rows=args.rows - 1, width=args.width, seed=args.seed)
    size = 0
    with args.out.open("wb") as out:
        for block in iter_csv_blocks(depths, pixels, trailing_empty_row=True):
            size += out.write(block)
    print(
        f"wrote {args.out}: {args.rows} rows, {size:,} bytes in {time.perf_counter() - started:.2f} s", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
