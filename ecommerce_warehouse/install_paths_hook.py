"""Write the virtualenv's start-up hook that resolves the warehouse paths (see paths.py)."""

import site
from pathlib import Path

HOOK = "zz_ecommerce_warehouse_paths.pth"
# A .pth line that starts with "import" runs at interpreter start-up; it does nothing if the
# package is not importable (e.g. the repository was moved without reinstalling).
LINE = (
    "import importlib.util as u; u.find_spec('ecommerce_warehouse') and "
    "__import__('ecommerce_warehouse.paths').paths.configure_environment()\n"
)


def main() -> None:
    """Write the .pth start-up hook into the virtualenv's site-packages."""
    target = Path(site.getsitepackages()[0]) / HOOK
    target.write_text(LINE)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
