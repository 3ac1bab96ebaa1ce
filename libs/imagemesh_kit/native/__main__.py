"""`python -m imagemesh_kit.native`: build the kit's C kernels (see the package docstring)."""

from imagemesh_kit.native import main

raise SystemExit(main())
