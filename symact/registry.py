"""The registry: every activation by canonical name, with aliases and close-match errors."""
import difflib
import re

from .errors import SymactError, UnknownActivation

_ACTIVATIONS = {}
_ALIASES = {}
_LOADED = False


def register(activation):
    """Add an activation; names and aliases must be new."""
    for key in (activation.name, *activation.aliases):
        if key in _ACTIVATIONS or key in _ALIASES:
            raise ValueError(f"name {key!r} is registered twice")
    _ACTIVATIONS[activation.name] = activation
    for alias in activation.aliases:
        _ALIASES[alias] = activation.name
    return activation


def _load():
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from . import catalog, vector  # noqa: F401  (registering is their side effect)


def _key(name):
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def names(kind=None):
    """Canonical names in catalog order; kind 'elementwise' or 'vector' filters."""
    _load()
    return [
        n for n, a in _ACTIVATIONS.items()
        if kind is None or (kind == "vector") == a.vector
    ]


def get(name):
    """The activation called `name` (aliases accepted); unknown names suggest close ones."""
    _load()
    if not isinstance(name, str):
        raise SymactError(f"activation name must be a string, not {type(name).__name__}")
    key = _key(name)
    key = _ALIASES.get(key, key)
    if key in _ACTIVATIONS:
        return _ACTIVATIONS[key]
    shown = name if len(name) <= 40 else name[:40] + "..."
    close = difflib.get_close_matches(key, [*_ACTIVATIONS, *_ALIASES], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'symact list' shows all names"
    raise UnknownActivation(f"unknown activation {shown!r}{hint}")


def all_activations(kind=None):
    return [get(n) for n in names(kind)]
