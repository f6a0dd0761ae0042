"""derivations: symbolic derivations checked step by step by a small trusted kernel.

Importing this package is cheap; SymPy is loaded by the modules that need it.
"""

__version__ = "0.1.0"
