"""The audit trail: ``audit.record(...)`` inside ``audit.atomic()``; see ``audit.recorder``."""

__all__ = ["acting", "atomic", "record", "record_denied"]


def __getattr__(name: str):
    # Loaded lazily: the recorder imports models, which can't be imported while apps load.
    if name in __all__:
        from audit import recorder

        return getattr(recorder, name)
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
