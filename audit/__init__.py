"""The audit trail: ``audit.record(...)``, in the transaction of the change it records; see
``audit.recorder`` and ``audit.sealer``."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what __getattr__ gives, for the type checker: the recorder's own signatures
    from audit.recorder import acting, batched, record, record_denied

__all__ = ["acting", "batched", "record", "record_denied"]


def __getattr__(name: str) -> Any:
    # Loaded lazily: the recorder imports models, which can't be imported while apps load.
    if name in __all__:
        from audit import recorder

        return getattr(recorder, name)
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
